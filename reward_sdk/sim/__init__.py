"""The simulator core: a calibrated car model, the real service's episode rules, scripted drivers, observations.

No gymnasium here (``trainer.env.RaceCarEnv`` wraps it), so lint's incentive audit can drive laps in a core
install. Modules, one job each:

* :mod:`~reward_sdk.sim.car` — ``CarParams`` (calibrated defaults), ``CarState``, ``step``/``advance``;
* :mod:`~reward_sdk.sim.actions` — discrete/continuous action spaces, ``model_metadata.json``;
* :mod:`~reward_sdk.sim.episode` — ``Race``: PREPARE step, reward on the pre-action pose, statuses;
* :mod:`~reward_sdk.sim.drivers` — pure pursuit and the audit's behaviours;
* :mod:`~reward_sdk.sim.rollout` — whole episodes, in process or inside a sandbox worker;
* :mod:`~reward_sdk.sim.observe` / :mod:`~reward_sdk.sim.camera` — feature vector and 160×120 camera view;
* :mod:`~reward_sdk.sim.trackline` — densified centre line for fast per-step queries;
* :mod:`~reward_sdk.sim.calibrate` — fitting ``CarParams`` to real Gazebo logs.
"""
