"""The rule pages of ``reward lint`` (RW0xx–RW2xx here; RW3xx–RW4xx in :mod:`reward_sdk.lint.rules_dynamic`).

Each :class:`~reward_sdk.lint.registry.Rule` is printed by ``reward lint --explain CODE``.
"""

from __future__ import annotations

from reward_sdk.lint.registry import Rule, register

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

# -- RW2xx sandbox policy -----------------------------------------------------------------------------------------
_POLICY_WHY = "The sandbox (and the real service's allowlist) refuses it; the function cannot be trained."
_R(
    Rule(
        "RW201",
        "import-not-allowed",
        "Import outside the allowlist (math, random, numpy, scipy, shapely).",
        "Every `import`/`from ... import` against the sandbox's module allowlist and its vetted names.",
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
