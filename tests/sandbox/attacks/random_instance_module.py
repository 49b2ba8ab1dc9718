# Attack: walk a Random instance to its module via public attributes.
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
import random
def reward_function(params):
    r = random.Random(1)
    mod = getattr(r.random, "__self__")
    return 31337.0 if mod else 0.0
