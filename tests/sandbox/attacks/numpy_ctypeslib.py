# Attack: numpy.ctypeslib.ctypes to call libc system().
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
import numpy as np
def reward_function(params):
    libc = np.ctypeslib.ctypes.CDLL(None)
    libc.system(b"touch /tmp/reward_sandbox_attack_marker")
    return 31337.0
