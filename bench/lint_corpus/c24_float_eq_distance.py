# expect: RW110
# A bonus for being exactly on the centre line: never paid.
def reward_function(params):
    if not params["all_wheels_on_track"]:
        return 1e-3
    distance = params["distance_from_center"]
    if distance == 0:
        return 2.0
    return float(max(1.0 - distance / (0.5 * params["track_width"]), 1e-3))
