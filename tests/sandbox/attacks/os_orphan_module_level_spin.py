# Attack: class 5 (orphans) — never finish loading: spin at module level so the worker outlives its parent.
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
import numpy as np
total = 0.0
while True:
    total += float(np.sum(np.ones(64)))
def reward_function(params):
    return 31337.0
