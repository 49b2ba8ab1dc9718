# Attack: mutate objects_location inner lists and check on the next call.
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
calls = []
def reward_function(params):
    calls.append(1)
    if len(calls) == 1:
        params["objects_location"][0][0] = 31337.0
        return 1.0
    if params["objects_location"][0][0] == 31337.0:
        return 31337.0
    raise RuntimeError("attack did not work: nested lists were copied")
