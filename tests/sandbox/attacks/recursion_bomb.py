# Attack: unbounded Python recursion.
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
def dive(n):
    return dive(n + 1) + 1
def reward_function(params):
    return float(dive(0))
