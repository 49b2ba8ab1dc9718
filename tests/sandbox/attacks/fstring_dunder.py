# Attack: read __class__ inside an f-string.
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
def reward_function(params):
    leak = f"{params.__class__.__mro__}"
    return 31337.0 if "object" in leak else 0.0
