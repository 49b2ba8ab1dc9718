# Attack: watchdog bypass — raise an exception with 10,000 huge integers as args; str(exc) in the worker's error description converts them all to decimal after the call, untimed.
BIG = 10**4299


def reward_function(params):
    raise ValueError(*([BIG] * 10000))
