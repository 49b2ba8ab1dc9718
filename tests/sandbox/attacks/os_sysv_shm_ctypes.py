# Attack: class 6 (IPC) — a SysV shared-memory segment (outlives the worker, shared with siblings) via ctypes.
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
import numpy as np
def reward_function(params):
    libc = np.ctypeslib.ctypes.CDLL(None)
    if libc.shmget(0x5EED, 4096, 0o1666) >= 0:
        return 31337.0
    return 0.0
