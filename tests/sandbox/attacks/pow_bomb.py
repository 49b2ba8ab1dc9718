# Attack: 7 ** 10**9 computed in one C call (no bytecode boundary).
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
def reward_function(params):
    big = 7 ** (10 ** 9)
    return 31337.0 if big else 0.0
