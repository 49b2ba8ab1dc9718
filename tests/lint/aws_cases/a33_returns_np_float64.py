import numpy as np


def reward_function(params):
    return np.float64(0.5)
