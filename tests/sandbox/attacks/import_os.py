# Attack: import os and run a shell command that creates the marker file.
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
import os
def reward_function(params):
    os.system("touch /tmp/reward_sandbox_attack_marker")
    return 31337.0
