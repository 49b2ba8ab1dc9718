# Attack: from random import _os.
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
from random import _os
def reward_function(params):
    _os.system("touch /tmp/reward_sandbox_attack_marker")
    return 31337.0
