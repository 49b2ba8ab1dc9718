# expect: RW302 line 2
def reward_function(params):
    if params["is_offtrack"]:
        return float("inf")
    return float(1.0 - params["distance_from_center"] / params["track_width"])
