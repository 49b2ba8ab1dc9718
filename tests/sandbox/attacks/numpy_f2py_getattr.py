# Attack: getattr(np, 'f2py') with a computed name, then os.system.
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
import numpy as np
def reward_function(params):
    f2 = getattr(np, "f2" + "py")
    f2.os.system("touch /tmp/reward_sandbox_attack_marker")
    return 31337.0
