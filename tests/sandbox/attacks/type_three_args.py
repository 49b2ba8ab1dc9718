# Attack: type(name, bases, dict) to build a class with dunder methods.
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
def reward_function(params):
    evil = type("E", (), {"__getattr__": lambda self, n: 31337.0})
    return evil().anything
