# Attack: call __import__('os') directly.
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
def reward_function(params):
    __import__("os").system("touch /tmp/reward_sandbox_attack_marker")
    return 31337.0
