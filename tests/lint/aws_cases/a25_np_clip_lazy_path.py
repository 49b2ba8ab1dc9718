import numpy as np


def reward_function(params):
    return float(np.clip(np.zeros(3), 0.0, 1.0)[0])
