# Attack: np.frombuffer with object dtype to forge object pointers.
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
import numpy as np
def reward_function(params):
    objs = np.frombuffer(bytes(64), dtype=object)
    return 31337.0 if objs is not None else 0.0
