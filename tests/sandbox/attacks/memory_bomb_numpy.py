# Attack: np.ones(2.5e9) float64 (20 GB).
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
import numpy as np
def reward_function(params):
    big = np.ones(2_500_000_000)
    return 31337.0 if big.sum() else 0.0
