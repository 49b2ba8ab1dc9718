# expect: RW011
# Object avoidance with the object lists checked first (they are empty in time trials). Correct in the
# simulator, but the official validator's test dicts have no `projection_distance`: AWS rejects the upload.
def reward_function(params):
    if not params["all_wheels_on_track"]:
        return 1e-3
    reward = 1.0 - min(params["distance_from_center"] / (0.5 * params["track_width"]), 1.0)
    distances = params["objects_distance"]
    if len(distances) > 0:
        nxt = params["closest_objects"][1]
        gap = distances[nxt] - params["projection_distance"]
        same_side = params["objects_left_of_center"][nxt] == params["is_left_of_center"]
        if 0 < gap < 0.8 and same_side:
            reward *= 0.3
    return float(max(reward, 1e-3))
