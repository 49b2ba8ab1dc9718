# expect: RW106
# Object distances indexed without checking there are objects.
def reward_function(params):
    if not params["all_wheels_on_track"]:
        return 1e-3
    reward = 1.0 - min(params["distance_from_center"] / (0.5 * params["track_width"]), 1.0)
    nxt = params["closest_objects"][1]
    if params["objects_distance"][nxt] - params["projection_distance"] < 0.5:
        reward *= 0.5
    return float(max(reward, 1e-3))
