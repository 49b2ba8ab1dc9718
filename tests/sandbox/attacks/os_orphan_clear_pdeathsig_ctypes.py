# Attack: class 5 (orphans) — clear the parent-death signal with prctl(PR_SET_PDEATHSIG, 0) through numpy's ctypes.
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
import numpy as np
def reward_function(params):
    libc = np.ctypeslib.ctypes.CDLL(None)
    if libc.prctl(1, 0, 0, 0, 0) == 0:
        return 31337.0
    return 0.0
