# Attack: int.mro() to reach object and its subclasses.
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
def reward_function(params):
    top = int.mro()[-1]
    return 31337.0 if top else 0.0
