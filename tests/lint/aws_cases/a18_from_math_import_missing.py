from math import nonexistent


def reward_function(params):
    return float(nonexistent)
