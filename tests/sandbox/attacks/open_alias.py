# Attack: alias open without calling it by name, then read /etc/hostname.
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
reader = open
def reward_function(params):
    reader("/etc/hostname").read()
    return 31337.0
