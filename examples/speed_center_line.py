"""Speed-aware centre line: be near the centre, and be fast when you are.

The centre term falls linearly from 1 at the centre line to 0 at the border. The speed term scales the
commanded speed into [0.5, 1] so slow driving is never worth more than fast driving at the same position.
Off the road the reward is 1e-3.
"""

MAX_SPEED_MPS = 4.0


def reward_function(params):
    if not params["all_wheels_on_track"] or params["is_offtrack"]:
        return 1e-3
    half_width = 0.5 * params["track_width"]
    centre_term = max(0.0, 1.0 - params["distance_from_center"] / half_width)
    speed_term = 0.5 + 0.5 * min(params["speed"], MAX_SPEED_MPS) / MAX_SPEED_MPS
    return float(max(1e-3, centre_term * speed_term))
