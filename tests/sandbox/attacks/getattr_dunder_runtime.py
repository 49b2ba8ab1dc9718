# Attack: getattr with a computed dunder name (invisible to the compiler).
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
def reward_function(params):
    cls = getattr((), "__cla" + "ss__")
    base = getattr(cls, "__ba" + "se__")
    subs = getattr(base, "__subcla" + "sses__")()
    return 31337.0 if subs else 0.0
