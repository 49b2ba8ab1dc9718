# Attack: AttributeError.obj / .name leaking the object that refused the lookup.
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
import numpy as np
def reward_function(params):
    try:
        np.frombuffer
    except AttributeError as exc:
        real = exc.obj
        return 31337.0 if real is not None else 0.0
    return 0.0
