# Attack: return a numpy array.
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
import numpy as np
def reward_function(params):
    return np.full(3, 31337.0)
