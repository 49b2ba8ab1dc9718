# Attack: ndarray.ctypes via a computed name (raw pointer access).
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
import numpy as np
def reward_function(params):
    arr = np.zeros(4)
    ptr = getattr(arr, "c" + "types").data
    return 31337.0 if ptr else 0.0
