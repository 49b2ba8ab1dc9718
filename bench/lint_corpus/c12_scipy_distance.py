# expect: RW011
# scipy for the nearest waypoints. Fine in the simulator, but cdist imports numpy lazily on its first call,
# which the official validator's import hook refuses: AWS rejects the upload.
import numpy as np
from scipy.spatial import distance


def reward_function(params):
    if not params["all_wheels_on_track"]:
        return 1e-3
    wp = np.asarray(params["waypoints"])
    gaps = distance.cdist([[params["x"], params["y"]]], wp)[0]
    nearest = np.sort(gaps)[:2]
    return float(1.0 / (1.0 + 5.0 * nearest.mean()))
