# Attack: globals() to reach the guard functions and replace them.
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
def reward_function(params):
    g = globals()
    g["x"] = 1
    return 31337.0
