# Attack: numpy.ma.core.builtins.open (lazy numpy attribute reaching builtins).
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
import numpy as np
def reward_function(params):
    text = np.ma.core.builtins.open("/etc/hostname").read()
    return 31337.0 if text else 0.0
