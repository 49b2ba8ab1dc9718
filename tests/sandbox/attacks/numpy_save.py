# Attack: np.save to write the marker file.
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
import numpy as np
def reward_function(params):
    np.save("/tmp/reward_sandbox_attack_marker", np.zeros(2))
    return 31337.0
