# Attack: numpy.lib.stride_tricks.as_strided out-of-bounds read (segfault).
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
import numpy as np
def reward_function(params):
    view = np.lib.stride_tricks.as_strided(np.zeros(1), shape=(10**9,), strides=(8,))
    return 31337.0 if view.sum() else 0.0
