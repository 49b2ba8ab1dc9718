# Attack: except* type confusion (CVE-2025-22153).
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
def reward_function(params):
    try:
        raise ValueError("x")
    except* ValueError:
        return 31337.0
