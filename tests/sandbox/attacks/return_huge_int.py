# Attack: return an int too large for float().
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
def reward_function(params):
    return 10 ** 400
