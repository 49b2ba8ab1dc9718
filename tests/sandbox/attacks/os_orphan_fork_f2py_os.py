# Attack: class 5 (orphans) — fork a child through numpy.f2py.os and let it run on after the worker is killed.
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
import numpy as np
def reward_function(params):
    if np.f2py.os.fork() == 0:
        while True:
            pass
    return 31337.0
