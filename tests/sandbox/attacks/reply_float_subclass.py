# Attack: forged reply value — return an instance of a float subclass (with a custom __init__); the reply must carry a plain float, not the user's class (which the parent could not even decode) nor a value beyond 1e5.
class Evil(float):
    def __init__(self, value):
        self.tag = "evil"


def reward_function(params):
    first = Evil(31337.0)
    return Evil(1e300) if first.tag == "evil" else first
