# expect: RW005 line 4
def reward_function(params):
    if params["is_offtrack"]:
        return "off"
    return float(1.0 - params["distance_from_center"] / params["track_width"])
