# Attack: np.ndarray(shape, buffer=small) to read past the buffer.
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
import numpy as np
def reward_function(params):
    big = np.ndarray((10**6,), dtype=np.float64, buffer=np.zeros(1))
    return 31337.0 if big.sum() is not None else 0.0
