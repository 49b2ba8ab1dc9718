"""Progress per step: the faster the car gains progress, the higher the reward, so faster laps earn more.

``progress / steps`` is the share of the lap gained per step since the start of the episode (the average pace),
scaled so that the pace of a ``TARGET_LAP_STEPS``-step lap is 1.0. The reward is the pace squared: summed over a
lap, a lap driven twice as fast earns about twice as much (the pace alone would sum to the same ~100 per lap at
any speed). Completing the lap adds a bonus that is larger for fewer steps. Off the road the reward is 1e-3 (the
episode ends there anyway). No module-level state: it scores each step from its own params.

A speed-only reward learns to crawl safely; rewarding the pace makes every step spent count against the lap.
With the default discrete actions (1 and 2 m/s) the lap time is capped near 8.7 s on reinvent_base: use
continuous actions or discrete speeds of 3 m/s and more to go faster.
"""

TARGET_LAP_STEPS = 100.0  # steps of a fast lap (about 6.7 s at 15 steps per second)
LAP_BONUS = 10.0
MAX_PACE = 3.0  # caps the reward of the first steps, where progress / steps is noisy


def reward_function(params):
    if params["is_offtrack"] or not params["all_wheels_on_track"]:
        return 1e-3
    steps = max(params["steps"], 1.0)
    progress = params["progress"]
    pace = min(progress / steps / (100.0 / TARGET_LAP_STEPS), MAX_PACE)
    reward = max(pace * pace, 1e-3)
    if progress >= 100.0:
        reward += LAP_BONUS * TARGET_LAP_STEPS / steps
    return float(reward)
