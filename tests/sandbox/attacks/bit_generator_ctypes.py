# Attack: numpy Generator.bit_generator.ctypes raw state pointer.
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
import numpy as np
def reward_function(params):
    bg = np.random.default_rng(1).bit_generator
    ptr = getattr(bg, "c" + "types")
    return 31337.0 if ptr else 0.0
