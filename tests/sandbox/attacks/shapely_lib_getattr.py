# Attack: shapely.lib (the C extension module) via getattr.
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
import shapely
def reward_function(params):
    lib = getattr(shapely, "l" + "ib")
    return 31337.0 if lib else 0.0
