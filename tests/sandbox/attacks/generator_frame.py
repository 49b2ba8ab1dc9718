# Attack: generator gi_frame.f_back.f_globals frame walk (CVE-2023-37271).
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
def reward_function(params):
    gen = (i for i in [1])
    frame = gen.gi_frame.f_back
    return 31337.0 if frame.f_globals else 0.0
