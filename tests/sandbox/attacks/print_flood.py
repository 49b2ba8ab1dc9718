# Attack: print 100 MB to flood the parent's stdout.
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
def reward_function(params):
    line = "FLOODFLOOD" * 100
    for i in range(100000):
        print(line)
    raise RuntimeError("attack did not work: output stayed in the sandbox")
