# Attack: allocate a list of 10**10 elements.
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
def reward_function(params):
    big = [0] * (10 ** 10)
    return 31337.0 if big else 0.0
