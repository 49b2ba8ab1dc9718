# Attack: str.format with item and attribute chain on params.
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
def reward_function(params):
    leak = "{0[x].__class__.__subclasses__}".format(params)
    return 31337.0 if "built-in" in leak else 0.0
