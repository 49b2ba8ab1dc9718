"""The rule pages of ``reward lint`` (RW0xx–RW2xx here; RW3xx–RW4xx in :mod:`reward_sdk.lint.rules_dynamic`).

Each :class:`~reward_sdk.lint.registry.Rule` is printed by ``reward lint --explain CODE``.
"""

from __future__ import annotations

from reward_sdk.lint.registry import Rule, register
from sandbox.modules import ALLOWED_MODULES

_R = register

# -- RW0xx contract -----------------------------------------------------------------------------------------------
_R(
    Rule(
        "RW001",
        "syntax-error",
        "The file does not parse.",
        "Python's parser, with the line and column of the first syntax or indentation error.",
        "Nothing else can be checked and the service rejects the file.",
        "def reward_function(params)\n    return 1.0",
        "def reward_function(params):\n    return 1.0",
    )
)
_R(
    Rule(
        "RW002",
        "missing-reward-function",
        "No module-level `def reward_function(...)`.",
        "That the module defines a function named exactly `reward_function` at top level.",
        "The simulator imports the module and calls `reward_function(params)`; without it training fails.",
        "def my_reward(params):\n    return 1.0",
        "def reward_function(params):\n    return 1.0",
    )
)
_R(
    Rule(
        "RW003",
        "bad-signature",
        "`reward_function` must take exactly one positional parameter.",
        "The signature accepts a single positional argument: no keyword-only or extra required parameters.",
        "The simulator calls `reward_function(params)` positionally; other signatures raise TypeError.",
        "def reward_function(*, params):\n    return 1.0",
        "def reward_function(params):\n    return 1.0",
    )
)
_R(
    Rule(
        "RW004",
        "missing-return",
        "A path through `reward_function` returns nothing (None).",
        "Control-flow paths that reach the end of the function, or a bare `return`.",
        "None is not a number: the simulator raises and the episode (and the training job) fails.",
        "def reward_function(params):\n    if params['all_wheels_on_track']:\n        return 1.0",
        "def reward_function(params):\n    if params['all_wheels_on_track']:\n        return 1.0\n    return 1e-3",
    )
)
_R(
    Rule(
        "RW005",
        "non-numeric-return",
        "`return` of a value that is not a number (None, str, list, dict...).",
        "Return statements whose expression is a literal or display of a non-numeric type.",
        "The reward must be a real number; anything else fails the call in the simulator.",
        "def reward_function(params):\n    return [1.0]",
        "def reward_function(params):\n    return 1.0",
    )
)
_R(
    Rule(
        "RW006",
        "unreachable-code",
        "Code after `return`, `raise`, `break` or `continue` never runs.",
        "Statements that follow a terminating statement in the same block.",
        "Usually a mistake: an intended bonus or penalty is silently ignored.",
        "def reward_function(params):\n    return 1.0\n    reward = 2.0",
        "Move the statement before the return, or delete it.",
    )
)

_R(
    Rule(
        "RW007",
        "undefined-name",
        "A name that is defined nowhere: NameError when the line runs.",
        "Every name the function or module uses against everything the module defines and the builtins, with"
        " pyflakes (the checker flake8 runs): all undefined names at once, with a 'did you mean'.",
        "A typo in a rarely taken branch passes a quick test and then stops the training job hours later; the"
        " runtime checks only see it when one of their states reaches that line.",
        "def reward_function(params):\n    speed = params['speed']\n    return float(sped)",
        "Fix the spelling (`speed`) or define the name before using it.",
    )
)

# -- RW1xx params usage -------------------------------------------------------------------------------------------
_R(
    Rule(
        "RW101",
        "unknown-param-key",
        "A params key that the simulator never sends (with a 'did you mean').",
        "Every string used as `params[...]` or `params.get(...)` against the 27 documented keys.",
        "`params['x']` raises KeyError in training; `params.get('x', 0)` silently reads the default forever.",
        "def reward_function(params):\n    return float(params.get('distance_from_centre', 0))",
        "Use `distance_from_center` (see `reward params` for all keys).",
    )
)
_R(
    Rule(
        "RW102",
        "param-wrong-type",
        "A params key used with the wrong type.",
        "Indexing a scalar key (`params['speed'][0]`), using a list key as a number (`params['waypoints'] * 2`),"
        " comparing a bool key with a number, or arithmetic on a bool key.",
        "The simulator's types are fixed (see `reward params`); such code raises TypeError or is always false.",
        "def reward_function(params):\n    return float(params['waypoints'] > 3)",
        "Index the list: `params['waypoints'][params['closest_waypoints'][1]]`.",
    )
)
_R(
    Rule(
        "RW103",
        "trig-on-degrees",
        "Trigonometry on `heading`/`steering_angle`, which are in degrees.",
        "`math.sin/cos/tan` (or numpy's) applied to a value derived from `heading` or `steering_angle`"
        " without `math.radians`/`np.deg2rad`.",
        "`math.cos(90)` is -0.45, not 0: the reward is noise.",
        "import math\n\ndef reward_function(params):\n    return float(1 + math.cos(params['heading']))",
        "Convert first: `math.cos(math.radians(params['heading']))`.",
    )
)
_R(
    Rule(
        "RW104",
        "signed-steering-threshold",
        "`steering_angle` compared with a threshold without `abs()`.",
        "Comparisons of `steering_angle` with a non-zero constant (`steering > 15`).",
        "Steering is signed (+ left, - right): the check only fires for left turns, so hard right turns go"
        " unpunished.",
        "def reward_function(params):\n    if params['steering_angle'] > 15:\n        return 0.5\n    return 1.0",
        "Compare the magnitude: `abs(params['steering_angle']) > 15`.",
    )
)
_R(
    Rule(
        "RW105",
        "params-mutation",
        "The function modifies `params`.",
        "Item assignment, deletion or mutating methods (`update`, `pop`, `clear`...) on `params`.",
        "The simulator passes a copy, so the change is lost between calls; code relying on it is wrong.",
        "def reward_function(params):\n    params['speed'] = 1.0\n    return params['speed']",
        "Use a local variable: `speed = params['speed']`.",
    )
)
_R(
    Rule(
        "RW106",
        "object-key-unguarded",
        "An object key is indexed without checking that objects exist.",
        "Indexing `objects_location`, `objects_distance`... (or `closest_objects` into them) when the function"
        " never checks `len(...)` or the truthiness of an object list.",
        "Without obstacles or bot cars these lists are empty: time-trial training raises IndexError.",
        "def reward_function(params):\n    return float(params['objects_distance'][0])",
        "Guard it: `if params['objects_distance']: ...` or `if len(params['objects_location']) > 0:`.",
    )
)

_R(
    Rule(
        "RW107",
        "heading-difference-not-wrapped",
        "The difference of two directions is used without folding it into [-180°, 180°].",
        "`track_direction - heading` (or any difference of two directions: heading, degrees(atan2(...)), or the"
        " radian forms) that is never compared with 180/360, combined with 360 or `%`, or passed to a helper.",
        "Directions wrap at ±180°: heading 179° and a track direction of -179° differ by 2°, but `abs(a - b)`"
        " says 358°. The car is punished for driving straight along the track wherever it crosses ±180°.",
        "import math\n\ndef reward_function(params):\n    wp = params['waypoints']\n"
        "    a, b = params['closest_waypoints']\n"
        "    track = math.degrees(math.atan2(wp[b][1] - wp[a][1], wp[b][0] - wp[a][0]))\n"
        "    diff = abs(track - params['heading'])\n    return 1.0 if diff < 10 else 0.1",
        "Fold it: `diff = abs(track - heading)`, then `if diff > 180: diff = 360 - diff`\n"
        "(or `diff = abs((track - heading + 180) % 360 - 180)`).",
    )
)
_R(
    Rule(
        "RW108",
        "radians-vs-degrees",
        "An angle in radians is compared with (or added to) an angle or a constant in degrees.",
        "Results of `math.atan2/atan/asin/acos` (and numpy's) or `math.radians(...)` compared with or added to"
        " `heading`, `steering_angle`, a `math.degrees(...)` value, or compared with a constant beyond 2π (90, 180).",
        "atan2 returns radians in [-π, π]: `abs(direction) > 90` is never true and `direction - heading` mixes"
        " 3.1 with 180. The reward term silently does nothing, or something random.",
        "import math\n\ndef reward_function(params):\n    wp = params['waypoints']\n"
        "    a, b = params['closest_waypoints']\n"
        "    track = math.atan2(wp[b][1] - wp[a][1], wp[b][0] - wp[a][0])\n"
        "    return 1.0 if abs(track - params['heading']) < 10 else 0.1",
        "Convert first: `track = math.degrees(math.atan2(dy, dx))`.",
    )
)
_R(
    Rule(
        "RW109",
        "atan2-used-as-degrees",
        "An atan2 (radian) result is treated as degrees.",
        "A radian value passed to `math.radians`/`np.deg2rad` again, or combined with 90/180/270/360"
        " (`direction % 360`, `direction + 180`, `360 - direction`).",
        "The value is in radians already: converting again shrinks it 57-fold, and adding 360 to it is meaningless.",
        "import math\n\ndef reward_function(params):\n    wp = params['waypoints']\n"
        "    a, b = params['closest_waypoints']\n"
        "    track = math.atan2(wp[b][1] - wp[a][1], wp[b][0] - wp[a][0])\n"
        "    return float(1 + math.cos(math.radians(track) - math.radians(params['heading'])))",
        "Use the radians directly (`math.cos(track - math.radians(heading))`), or convert with `math.degrees()`"
        " before any degree arithmetic.",
    )
)
_R(
    Rule(
        "RW110",
        "float-equality",
        "`==`/`!=` on a measured float param (distance_from_center == 0, heading == 90...).",
        "Equality between a number and a float key other than the exact ones: `speed` and `steering_angle` (a"
        " discrete action space sends the action's exact values), `steps` (a whole-step counter) and"
        " `progress == 100` (capped to exactly 100 when the lap is complete).",
        "Positions, distances and headings are computed from the car's continuous pose: the test is practically"
        " never true, so the branch never runs.",
        "def reward_function(params):\n    if params['distance_from_center'] == 0:\n        return 1.0\n"
        "    return 0.5",
        "Compare with a tolerance: `params['distance_from_center'] <= 0.05` or `math.isclose(a, b, abs_tol=...)`.",
    )
)

# -- RW2xx sandbox policy -----------------------------------------------------------------------------------------
_ROOTS = ", ".join(dict.fromkeys(name.split(".", 1)[0] for name in ALLOWED_MODULES))
_MODULES = ", ".join(sorted(ALLOWED_MODULES))
_POLICY_WHY = "The sandbox (and the real service's allowlist) refuses it; the function cannot be trained."
_R(
    Rule(
        "RW201",
        "import-not-allowed",
        f"Import outside the allowlist ({_ROOTS}, and their vetted submodules).",
        "Every `import`/`from ... import` against the sandbox's module allowlist and its vetted names"
        f" (`sandbox.modules.ALLOWED_MODULES`, the one list lint and the sandbox share): {_MODULES}.",
        _POLICY_WHY,
        "import os\n\ndef reward_function(params):\n    return 1.0",
        "Remove the import.",
    )
)
_R(
    Rule(
        "RW202",
        "forbidden-name",
        "Use of a forbidden builtin (`open`, `eval`, `exec`, `getattr`...).",
        "Names the sandbox refuses, even when only aliased (`f = open`).",
        _POLICY_WHY,
        "def reward_function(params):\n    f = open\n    return 1.0",
        "Do not use it.",
    )
)
_R(
    Rule(
        "RW203",
        "dunder-access",
        "Access to a name or attribute starting with `_` (`__import__`, `__class__`).",
        "Names and attributes starting with an underscore, the usual way out of a Python sandbox.",
        _POLICY_WHY,
        "def reward_function(params):\n    return float(len(().__class__.__name__))",
        "Do not use it.",
    )
)
_R(
    Rule(
        "RW204",
        "file-io",
        "File or network I/O (`np.load`, `np.save`, `tofile`, `memmap`...).",
        "Attributes of numpy/scipy/shapely that read or write files.",
        _POLICY_WHY,
        "import numpy as np\n\ndef reward_function(params):\n    return float(np.load('w.npy')[0])",
        "Inline the data as a constant in the file.",
    )
)
_R(
    Rule(
        "RW205",
        "native-code",
        "Native-code escape hatch (`ctypes`, `ctypeslib`, `f2py`, `cffi`).",
        "Attributes that reach native code.",
        _POLICY_WHY,
        "import numpy as np\n\ndef reward_function(params):\n    return float(len(np.ctypeslib.__name__))",
        "Do not use it.",
    )
)
_R(
    Rule(
        "RW206",
        "restricted-construct",
        "A construct the restricted compiler refuses (frames, `nonlocal`...).",
        "Everything else RestrictedPython refuses.",
        _POLICY_WHY,
        "def reward_function(params):\n    x = 1\n    def inner():\n        nonlocal x\n    return 1.0",
        "Rewrite without it.",
    )
)

import reward_sdk.lint.rules_dynamic  # noqa: E402,F401  (RW3xx/RW4xx pages)
