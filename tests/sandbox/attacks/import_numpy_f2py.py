# Attack: import numpy.f2py (allowed top-level package, forbidden submodule).
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
import numpy.f2py
def reward_function(params):
    numpy.f2py.os.system("touch /tmp/reward_sandbox_attack_marker")
    return 31337.0
