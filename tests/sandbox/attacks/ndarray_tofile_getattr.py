# Attack: ndarray.tofile reached with a computed name.
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
import numpy as np
def reward_function(params):
    getattr(np.zeros(2), "to" + "file")("/tmp/reward_sandbox_attack_marker")
    return 31337.0
