# Attack: watchdog bypass — a suspended generator whose finally block spins is left in params; it runs when the worker releases the params dict after the call (status counter even), so the 1 s limit never fires.
def spin():
    try:
        yield 1
    finally:
        while True:
            pass


def reward_function(params):
    gen = spin()
    next(gen)
    params["keep"] = gen
    return 1.0
