# Attack: np.ndarray(buffer=...) with an object dtype over attacker bytes (random.randbytes / an id()-filled
# array) would forge object pointers; then .view(object) on a uint64 array holding an address.
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
import random

import numpy as np


def reward_function(params):
    cell = np.zeros(1, dtype=np.uint64)
    cell[0] = id(random.choice)
    try:
        forged = np.ndarray((1,), dtype=object, buffer=cell)[0]
    except TypeError:
        forged = cell.view(object)[0]
    return 31337.0 if forged is random.choice else 0.0
