# Attack: return +inf.
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
def reward_function(params):
    return float("inf")
