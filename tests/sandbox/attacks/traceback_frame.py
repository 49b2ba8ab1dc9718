# Attack: exception __traceback__.tb_frame to reach the worker's globals.
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
def reward_function(params):
    try:
        1 / 0
    except ZeroDivisionError as exc:
        frame = exc.__traceback__.tb_frame
        return 31337.0 if frame else 0.0
