# Attack: assign ndarray.strides to read out of bounds.
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
import numpy as np
def reward_function(params):
    a = np.zeros(2)
    a.strides = (8 * 10**6,)
    return 31337.0 if a[1] is not None else 0.0
