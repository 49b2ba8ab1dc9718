# expect: RW007
# ruff: noqa: F821  (the undefined names are the point of this file)
# A helper that reads a name only defined in another function.
def speed_score(params):
    return min(params["speed"] / max_speed, 1.0)


def reward_function(params):
    max_speed = 4.0
    if not params["all_wheels_on_track"]:
        return 1e-3
    if params["speed"] > 3.9:
        return float(1.0 + speed_score(params))
    return float(params["speed"] / max_speed)
