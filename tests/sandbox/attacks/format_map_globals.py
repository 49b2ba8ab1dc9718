# Attack: str.format_map to reach a function's __globals__.
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
def helper():
    return 1
def reward_function(params):
    leak = "{f.__globals__}".format_map({"f": helper})
    return 31337.0 if "__builtins__" in leak else 0.0
