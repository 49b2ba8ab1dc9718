from math import *


def reward_function(params):
    return float(pi)
