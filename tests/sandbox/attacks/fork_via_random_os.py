# Attack: fork through random._os.
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
import random
def reward_function(params):
    pid = getattr(random, "_o" + "s").fork()
    return 31337.0 if pid >= 0 else 0.0
