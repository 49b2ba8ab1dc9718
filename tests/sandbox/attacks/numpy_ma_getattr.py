# Attack: getattr chain to numpy.ma.core.builtins.eval.
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
import numpy as np
def reward_function(params):
    core = getattr(getattr(np, "m" + "a"), "core")
    getattr(core, "builtins").eval("__import__('os').system('touch /tmp/reward_sandbox_attack_marker')")
    return 31337.0
