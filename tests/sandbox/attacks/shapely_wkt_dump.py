# Attack: shapely.wkt.dump to write a file.
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
import shapely
from shapely.geometry import Point
def reward_function(params):
    shapely.wkt.dump(Point(0, 0), None)
    return 31337.0
