# expect: RW404 line 4
# Pays for slow driving and never looks at the track: leaving it earns as much as staying on it at the same
# speed, even though the old comparison (off-track at 1.5 m/s against the centre line at 1 m/s) missed it.
def reward_function(params):
    if params["speed"] < 1.2:
        return 1.0
    return 0.5
