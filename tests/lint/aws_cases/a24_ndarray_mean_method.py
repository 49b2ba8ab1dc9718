import numpy as np


def reward_function(params):
    return float(np.zeros(3).mean())
