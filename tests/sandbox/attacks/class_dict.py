# Attack: read a class __dict__ and __globals__ of its method.
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
class A:
    def m(self):
        return 1
def reward_function(params):
    g = A.__dict__["m"].__globals__
    return 31337.0 if g else 0.0
