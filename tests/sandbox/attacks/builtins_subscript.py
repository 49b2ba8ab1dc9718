# Attack: index __builtins__ with a computed key to get open().
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
def reward_function(params):
    opener = __builtins__["op" + "en"]
    opener("/tmp/reward_sandbox_attack_marker", "w").write("x")
    return 31337.0
