"""Follow the centre line: the closer to the centre, the higher the reward.

Three bands measured as a share of the local track width: within 10 % → 1.0, within 25 % → 0.5, within 50 %
(still on the road) → 0.1, beyond → 1e-3. This is also the function the simulator uses to score evaluation runs.
"""


def reward_function(params):
    track_width = params["track_width"]
    distance_from_center = params["distance_from_center"]

    if distance_from_center <= 0.1 * track_width:
        reward = 1.0
    elif distance_from_center <= 0.25 * track_width:
        reward = 0.5
    elif distance_from_center <= 0.5 * track_width:
        reward = 0.1
    else:
        reward = 1e-3  # probably off the road
    return float(reward)
