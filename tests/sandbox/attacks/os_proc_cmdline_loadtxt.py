# Attack: class 6 (host view) — read another process's command line from /proc/1/cmdline with np.loadtxt.
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
import numpy as np
def reward_function(params):
    data = np.loadtxt("/proc/1/cmdline", dtype=str, delimiter="\x00")
    return 31337.0 if data is not None else 0.0
