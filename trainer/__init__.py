"""Training stage: the gymnasium environment wrapping ``reward_sdk.sim`` (and, later, SB3 training).

Importing this package registers the environment id :data:`ENV_ID` with gymnasium.
"""

from __future__ import annotations

import sys
import types

import gymnasium


def tensorboard_without_tensorflow() -> None:
    """Make TensorBoard (imported by stable-baselines3 through ``torch.utils.tensorboard``) use its bundled
    TensorFlow stub instead of importing TensorFlow (installed by the ``[car]`` extra): that import costs 4-15 s
    on 2 cores and prints a banner in every training, evaluation and sweep process. ``tensorboard.compat`` takes
    the stub whenever ``tensorboard.compat.notf`` imports, so an empty module of that name is registered. Event
    files are the same; TensorFlow itself stays importable (``reward edge car-package``). No effect once
    TensorFlow is loaded."""
    if "tensorflow" not in sys.modules:
        sys.modules.setdefault("tensorboard.compat.notf", types.ModuleType("tensorboard.compat.notf"))


tensorboard_without_tensorflow()  # every SB3 import of this project goes through the trainer package

ENV_ID = "reward-sdk/RaceCar-v0"

if ENV_ID not in gymnasium.registry:
    gymnasium.register(id=ENV_ID, entry_point="trainer.env:RaceCarEnv")

__all__ = ["ENV_ID", "tensorboard_without_tensorflow"]
