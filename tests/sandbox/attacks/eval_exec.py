# Attack: eval and exec of a computed string.
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
def reward_function(params):
    eval("__import__('os').system('touch /tmp/reward_sandbox_attack_marker')")
    return 31337.0
