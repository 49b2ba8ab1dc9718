# Attack: gi_frame through getattr with a computed name.
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
def reward_function(params):
    gen = (i for i in [1])
    frame = getattr(gen, "gi_" + "frame")
    back = getattr(frame, "f_" + "back")
    return 31337.0 if back else 0.0
