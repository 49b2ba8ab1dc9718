# Attack: watchdog bypass — append a spinning suspended generator to a list value of params (closest_waypoints); the row's list outlives the params dict and is released with the request, after the call.
def spin():
    try:
        yield 1
    finally:
        while True:
            pass


def reward_function(params):
    gen = spin()
    next(gen)
    params["closest_waypoints"].append(gen)
    return 1.0
