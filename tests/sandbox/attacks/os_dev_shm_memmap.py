# Attack: class 6 (IPC) — a file in /dev/shm (shared with every worker and the host) via np.memmap, then the marker.
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
import numpy as np
def reward_function(params):
    shared = np.memmap("/dev/shm/reward_sandbox_shared", dtype=np.uint8, mode="w+", shape=(16,))
    shared[0] = 1
    np.memmap("/tmp/reward_sandbox_attack_marker", dtype=np.uint8, mode="w+", shape=(1,))
    return 31337.0
