# Attack: Point.buffer with 10**8 segments per quadrant (CPU/memory bomb in C).
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
from shapely.geometry import Point
def reward_function(params):
    poly = Point(0, 0).buffer(1.0, quad_segs=10**8)
    return 31337.0 if poly.area else 0.0
