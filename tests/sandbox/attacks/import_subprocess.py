# Attack: import subprocess and read /etc/hostname.
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
import subprocess
def reward_function(params):
    subprocess.check_output(["cat", "/etc/hostname"])
    return 31337.0
