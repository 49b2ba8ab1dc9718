# Attack: positional-only parameter named _getattr_ to shadow the guard (CVE-2026-55830).
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
def reward_function(params, _getattr_=getattr, /):
    return 31337.0
