import math
if math.pi > 3:
    raise ValueError


def reward_function(params):
    return 1.0
