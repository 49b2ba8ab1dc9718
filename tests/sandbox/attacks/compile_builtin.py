# Attack: compile() a code object and exec it.
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
def reward_function(params):
    code = compile("1", "x", "eval")
    return 31337.0
