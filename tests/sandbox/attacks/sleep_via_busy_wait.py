# Attack: import time to sleep past the limit.
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
import time
def reward_function(params):
    time.sleep(100)
    return 31337.0
