# Attack: getattr(random, '_os') with a computed name.
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
import random
def reward_function(params):
    os = getattr(random, "_" + "os")
    os.system("touch /tmp/reward_sandbox_attack_marker")
    return 31337.0
