# Attack: '%*d' % (2e9, 1) builds a 2 GB string in C.
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
def reward_function(params):
    big = "%*d" % (2_000_000_000, 1)
    return 31337.0 if big else 0.0
