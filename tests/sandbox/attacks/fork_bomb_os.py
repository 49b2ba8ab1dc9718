# Attack: os.fork in a loop.
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
import os
def reward_function(params):
    while True:
        os.fork()
