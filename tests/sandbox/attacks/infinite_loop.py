# Attack: while True: pass inside the reward (pure bytecode loop).
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
def reward_function(params):
    while True:
        pass
