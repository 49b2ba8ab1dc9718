# Attack: repr of a 10**6-deep nested list (recursion in C).
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
def reward_function(params):
    x = []
    for i in range(10 ** 6):
        x = [x]
    text = repr(x)
    return 31337.0 if text else 0.0
