# expect: RW205 line 6
import numpy as np


def reward_function(params):
    pointer = np.ctypeslib
    return float(params["speed"] + (0.0 if pointer else 1.0))
