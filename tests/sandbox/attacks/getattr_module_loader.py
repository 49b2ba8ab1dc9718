# Attack: getattr(math, '__loader__') to reach importlib.
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
import math
def reward_function(params):
    loader = getattr(math, "_" + "_loader__")
    return 31337.0 if loader else 0.0
