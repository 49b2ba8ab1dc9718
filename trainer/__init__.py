"""Training stage: the gymnasium environment wrapping ``reward_sdk.sim`` (and, later, SB3 training).

Importing this package registers the environment id :data:`ENV_ID` with gymnasium.
"""

from __future__ import annotations

import gymnasium

ENV_ID = "reward-sdk/RaceCar-v0"

if ENV_ID not in gymnasium.registry:
    gymnasium.register(id=ENV_ID, entry_point="trainer.env:RaceCarEnv")

__all__ = ["ENV_ID"]
