# Attack: class 6 (host view) — read a sibling worker's environment: every /proc/<pid>/environ via np.fromfile.
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
import numpy as np
def reward_function(params):
    for pid in range(1, 65536):
        try:
            data = np.fromfile("/proc/" + str(pid) + "/environ", dtype=np.uint8)
        except Exception:
            continue
        if len(data):
            return 31337.0
    return 0.0
