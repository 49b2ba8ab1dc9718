# Attack: reply flood — return a 48 MB string as the reward; the bad-value text (value repr) must be bounded in the worker and in the parent.
def reward_function(params):
    return "B" * (48 * 1024 * 1024)
