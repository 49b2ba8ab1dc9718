# expect: RW201 line 2
import os


def reward_function(params):
    return float(len(os.sep) * params["speed"])
