# expect: RW206 line 6
def reward_function(params):
    total = 0.0

    def add():
        nonlocal total
        total += params["speed"]
    add()
    return float(total)
