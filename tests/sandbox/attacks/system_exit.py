# Attack: raise SystemExit to kill the worker or the host.
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
def reward_function(params):
    raise SystemExit(0)
