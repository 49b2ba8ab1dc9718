# Attack: np.ndarray(buffer=...) with an object dtype over attacker bytes (an id()-filled uint64 array, or
# random.randbytes) reinterprets integers as object pointers; also .view(object) / getfield(object).
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
import random

import numpy as np


def forge(cell):
    for attempt in range(3):
        try:
            if attempt == 0:
                return np.ndarray((1,), dtype=object, buffer=cell)[0]
            if attempt == 1:
                return np.ndarray((1,), dtype=[("a", object)], buffer=cell)[0][0]
            return cell.view(object)[0]
        except (TypeError, ValueError):
            continue
    return None


def reward_function(params):
    cell = np.zeros(1, dtype=np.uint64)
    cell[0] = id(random.choice)
    forged = forge(cell)
    return 31337.0 if forged is random.choice else 0.0
