# Attack: reply smuggling — store user objects (one with a spinning __eq__) into params and then fail; the error reply's echoed params must be plain data, never the user's objects.
class Sticky:
    def __init__(self):
        self.n = 1

    def __eq__(self, other):
        while True:
            pass


def reward_function(params):
    params["sticky"] = Sticky()
    params["closest_waypoints"].append(Sticky())
    return params["no_such_key"]
