# Attack: reply smuggling — raise an exception whose args are a user object, a deeply nested list and a dict; only text may travel back to the parent (no user object, no unbounded nesting).
class Payload:
    def __init__(self):
        self.data = [1, 2, 3]

    def __eq__(self, other):
        while True:
            pass


def reward_function(params):
    deep = []
    for _ in range(5000):
        deep = [deep]
    raise ValueError(Payload(), deep, {"k": Payload()})
