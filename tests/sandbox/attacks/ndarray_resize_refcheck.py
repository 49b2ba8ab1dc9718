# Attack: ndarray.resize(refcheck=False) use-after-free.
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
import numpy as np
def reward_function(params):
    a = np.zeros(10)
    v = a[:]
    getattr(a, "res" + "ize")((10**7,), refcheck=False)
    return 31337.0 if v.sum() is not None else 0.0
