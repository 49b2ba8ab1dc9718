# expect: clean
# A class instance remembers the previous step; a new episode (steps back to 2) resets it.
class Memory:
    def __init__(self):
        self.prev_progress = 0.0
        self.prev_steering = 0.0
        self.track_length = None

    def step(self, params):
        if self.track_length is None:
            self.track_length = params["track_length"]
        if params["steps"] <= 2:
            self.prev_progress = params["progress"]
            self.prev_steering = params["steering_angle"]
        gained = max(params["progress"] - self.prev_progress, 0.0) * self.track_length / 100.0
        jerk = abs(params["steering_angle"] - self.prev_steering)
        self.prev_progress = params["progress"]
        self.prev_steering = params["steering_angle"]
        return gained, jerk


MEMORY = Memory()


def reward_function(params):
    gained, jerk = MEMORY.step(params)
    if not params["all_wheels_on_track"]:
        return 1e-3
    reward = 1.0 - params["distance_from_center"] / (0.5 * params["track_width"])
    reward += 2.0 * gained
    if jerk > 20:
        reward *= 0.7
    return float(max(reward, 1e-3))
