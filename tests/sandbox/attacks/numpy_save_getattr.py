# Attack: np.save reached with a computed name.
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
import numpy as np
def reward_function(params):
    getattr(np, "sa" + "ve")("/tmp/reward_sandbox_attack_marker", np.zeros(2))
    return 31337.0
