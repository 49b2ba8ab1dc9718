# expect: clean
# State kept in a class: progress per step, steering changes between steps.
class Tracker:
    def __init__(self):
        self.last_progress = 0.0
        self.last_steer = 0.0

    def update(self, params):
        if params["steps"] <= 2:
            self.last_progress = 0.0
            self.last_steer = params["steering_angle"]
        gained = params["progress"] - self.last_progress
        change = abs(params["steering_angle"] - self.last_steer)
        self.last_progress = params["progress"]
        self.last_steer = params["steering_angle"]
        return gained, change


TRACKER = Tracker()


def reward_function(params):
    gained, change = TRACKER.update(params)
    if not params["all_wheels_on_track"]:
        return 1e-3
    reward = 1.0 + 5.0 * max(gained, 0.0)
    if change > 15:
        reward *= 0.8
    return float(reward)
