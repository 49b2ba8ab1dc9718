# expect: RW204 line 6
import numpy as np


def reward_function(params):
    np.save("log.npy", np.array([params["speed"]]))
    return float(params["speed"])
