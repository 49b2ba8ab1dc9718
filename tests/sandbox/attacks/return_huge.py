# Attack: return 1e6 (beyond the 1e5 service bound).
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
def reward_function(params):
    return 1e6
