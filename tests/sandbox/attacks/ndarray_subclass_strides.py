# Attack: user subclass of ndarray, then write strides on the instance.
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
import numpy as np
class Evil(np.ndarray):
    pass
def reward_function(params):
    a = np.zeros(2).view(Evil)
    a.strides = (8 * 10**6,)
    return 31337.0 if a[1] is not None else 0.0
