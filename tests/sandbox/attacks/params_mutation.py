# Attack: mutate params (nested list and waypoints) and look for the change on the next call.
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
seen = []
def reward_function(params):
    if seen:
        prev = seen[0]
        if 99 in params["closest_waypoints"] or params["x"] == 999.0 or len(params["waypoints"]) != 3:
            return 31337.0
        raise RuntimeError("attack did not work: params were a fresh copy")
    seen.append(params)
    params["closest_waypoints"].append(99)
    params["x"] = 999.0
    params["waypoints"].append((0.0, 0.0))
    return 1.0
