def reward_function(params):
    import os
    return float(len(os.sep))
