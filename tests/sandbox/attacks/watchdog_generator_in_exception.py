# Attack: watchdog bypass — raise an exception whose args hold a spinning suspended generator; describing and then releasing the exception in the worker runs the finally block after the call.
def spin():
    try:
        yield 1
    finally:
        while True:
            pass


def reward_function(params):
    gen = spin()
    next(gen)
    raise ValueError("boom", gen)
