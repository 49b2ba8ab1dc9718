import math
BASE = math.pi * SCALE


def reward_function(params):
    return BASE
