# Attack: random._os.system (random imports os as _os).
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
import random
def reward_function(params):
    random._os.system("touch /tmp/reward_sandbox_attack_marker")
    return 31337.0
