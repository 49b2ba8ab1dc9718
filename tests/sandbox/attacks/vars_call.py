# Attack: vars() on the params dict class.
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
def reward_function(params):
    v = vars(type(params))
    return 31337.0
