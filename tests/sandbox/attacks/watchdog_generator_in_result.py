# Attack: watchdog bypass — return a container holding a spinning suspended generator; the bad-value check rejects it and the worker releases it after the call, running the generator's finally block untimed.
def spin():
    try:
        yield 1
    finally:
        while True:
            pass


def reward_function(params):
    gen = spin()
    next(gen)
    return [gen]
