"""Stay inside the two borders: full reward while every wheel is on the road with a safety margin.

The margin is the gap between the car's front point and the nearer border: half the track width minus the
distance from the centre line. Below 5 cm, or with any wheel off, the reward drops to 1e-3.
"""

SAFETY_MARGIN_M = 0.05


def reward_function(params):
    margin = 0.5 * params["track_width"] - params["distance_from_center"]
    if params["all_wheels_on_track"] and margin >= SAFETY_MARGIN_M:
        return 1.0
    return 1e-3
