# Attack: assign math.sqrt = ... through the write guard.
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
import math
def reward_function(params):
    math.sqrt = lambda x: 31337.0
    return math.sqrt(4)
