"""reward-sdk: write, sandbox, lint, replay, train and deploy DeepRacer reward functions locally.

The domain core. Sub-modules: :mod:`reward_sdk.params` (the input dict), :mod:`reward_sdk.tracks` (track files and
built-in tracks), :mod:`reward_sdk.geometry` (car state → params), :mod:`reward_sdk.sim` (car model, episodes,
scripted drivers), :mod:`reward_sdk.simtrace` (SIM_TRACE_LOG fields and writer), :mod:`reward_sdk.lint`,
:mod:`reward_sdk.testing` (hypothesis strategies) and :mod:`reward_sdk.cli` (the ``reward`` command).
"""

__version__ = "0.1.0"
