"""The rule pages of the runtime (RW3xx) and incentive-audit (RW4xx) families."""

from __future__ import annotations

from reward_sdk.lint.registry import Rule, register

_R = register
_STATES = (
    "physically consistent states built from car poses on built-in (and real) tracks, edge states included"
)

# -- RW3xx runtime ------------------------------------------------------------------------------------------------
_R(
    Rule(
        "RW301",
        "runtime-exception",
        "The function raises for some state (shows the shrunk minimal state).",
        f"Runs the function in the sandbox over {_STATES}; module-level code errors are reported too.",
        "One exception in training stops the whole job; the official validator only tries five fixed dicts.",
        "def reward_function(params):\n    return float(1.0 / params['progress'])",
        "Guard the edge case: `1.0 / max(params['progress'], 1e-3)`.",
    )
)
_R(
    Rule(
        "RW302",
        "non-finite-reward",
        "The function returns NaN or infinity for some state.",
        f"Every reward over {_STATES}.",
        "NaN/inf rewards are rejected by the service and poison the policy's value estimates.",
        "import math\n\ndef reward_function(params):\n    return math.log(params['distance_from_center'])",
        "Clamp the input: `math.log(max(d, 1e-3))`.",
    )
)
_R(
    Rule(
        "RW303",
        "non-number-reward",
        "The function returns something that is not a number.",
        f"The type of every reward over {_STATES}.",
        "The simulator calls `float()` on it and fails.",
        "def reward_function(params):\n    if params['is_offtrack']:\n        return 'off'\n    return 1.0",
        "Return a float on every path.",
    )
)
_R(
    Rule(
        "RW304",
        "reward-out-of-range",
        "|reward| > 1e5 for some state.",
        f"Every reward over {_STATES}.",
        "The simulator raises RewardFunctionError beyond ±1e5.",
        "def reward_function(params):\n    return 1e6 * params['progress']",
        "Scale rewards to roughly [0, 10].",
    )
)
_R(
    Rule(
        "RW305",
        "slow-reward",
        "The function is too slow (p99 call time over budget, or it hangs).",
        "Per-call wall time in the sandbox; the budget is `call-budget-ms` (default 10 ms).",
        "The simulator steps at ~15 Hz and calls the reward every step: a slow reward slows training, a hang"
        " kills it (the official validator hangs on it for 60 s).",
        "def reward_function(params):\n    while True:\n        pass",
        "Precompute at module level; avoid per-call loops over all waypoints with heavy maths.",
    )
)
_R(
    Rule(
        "RW306",
        "constant-reward",
        "The reward is the same for every state.",
        f"The spread of the rewards over {_STATES}.",
        "A constant reward carries no signal: the agent learns nothing.",
        "def reward_function(params):\n    return 1.0",
        "Reward what you want: staying near the centre, progress, speed.",
    )
)
_R(
    Rule(
        "RW307",
        "non-float-return",
        "The function returns an int, bool or numpy float32 instead of a float.",
        f"The exact type of the raw return value over {_STATES}.",
        "The simulator converts it with float(), but the official validator rejects anything that is not a"
        " Python float subclass (int, bool, np.float32).",
        "def reward_function(params):\n    return 1",
        "Return `float(reward)`.",
    )
)

# -- RW4xx incentive audit ----------------------------------------------------------------------------------------
_AUDIT = (
    "Drives scripted cars in the simulator (inside the sandbox worker) on the built-in tracks: the centre"
    " line at several speeds, weaving, hugging a border, crawling, reversing, leaving the track."
)
_R(
    Rule(
        "RW401",
        "zigzag-rewarded",
        "Weaving (zig-zag) earns more per second than smooth centre-line driving.",
        _AUDIT
        + " Compares reward per second of the weaving driver with the centre-line driver at the same speed.",
        "The agent learns to zig-zag: slower laps, more crashes, and a car that wobbles on the real track.",
        "def reward_function(params):\n    if abs(params['steering_angle']) > 15:\n        return 1.0\n"
        "    return 0.5",
        "Penalise large steering (`reward *= 0.8` when `abs(steering) > 15`) instead of rewarding it.",
    )
)
_R(
    Rule(
        "RW402",
        "slowness-rewarded",
        "Crawling earns more per second than driving at racing speed.",
        _AUDIT + " Compares reward per second of the crawling driver (0.3 m/s) with the best racing speed.",
        "Per-step rewards that favour low speed teach the car to crawl: lap times explode.",
        "def reward_function(params):\n    if params['speed'] < 0.5:\n        return 1.0\n    return 1e-3",
        "Make the reward increase with speed (or with progress per step).",
    )
)
_R(
    Rule(
        "RW403",
        "crawl-lap-exploit",
        "Crawling earns more per lap than racing.",
        _AUDIT + " Compares the total reward of a crawled lap with the best racing lap.",
        "Rewards are summed per step, so any positive per-step reward pays more for a slower lap. Almost every"
        " simple reward (including the AWS samples) has this property, so the rule is opt-in.",
        "def reward_function(params):\n    return 1.0 if params['all_wheels_on_track'] else 1e-3",
        "Add a progress-based term, e.g. `reward += 100 * progress / steps`, or a lap-completion bonus.",
        default=False,
    )
)
_R(
    Rule(
        "RW404",
        "offtrack-rewarded",
        "Leaving the track earns as much per step as staying on it at the same speed.",
        _AUDIT
        + " Compares the mean reward of steps with wheels off the road with the centre line's on-road steps"
        " at the same speed (1 and 2 m/s), so a speed term neither fakes nor hides the incentive.",
        "Nothing teaches the car to stay on the road.",
        "def reward_function(params):\n    return float(params['speed'])",
        "Return a small reward (1e-3) when `not params['all_wheels_on_track']`.",
    )
)
_R(
    Rule(
        "RW405",
        "reversing-rewarded",
        "Driving the wrong way earns more per second than driving forward.",
        _AUDIT + " Compares reward per second of the reversing driver with the centre-line driver.",
        "The agent learns to turn around.",
        "def reward_function(params):\n    return float(100 - params['progress'])",
        "Reward progress made, not progress missing; check the heading against the track direction.",
    )
)
_R(
    Rule(
        "RW406",
        "centre-line-unrewarded",
        "Driving the centre line well earns nothing (≤ 0.01 per step) or less than nothing.",
        _AUDIT + " Takes the mean reward of the centre-line driver's on-road steps at its best speed.",
        "Rewards are summed over the episode: if good driving earns nothing, ending the episode (leaving the"
        " track) costs nothing; if it earns less than nothing, crashing early is the best policy the car can learn.",
        "def reward_function(params):\n    return float(-params['distance_from_center'])",
        "Give good driving a clearly positive reward (e.g. `1.0 - distance_from_center / (0.5 * track_width)`,"
        " floored at 1e-3) and keep penalties as multipliers below 1 rather than negative terms.",
    )
)
