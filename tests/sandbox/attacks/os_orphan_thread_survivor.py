# Attack: class 5 (orphans) — a non-daemon thread that keeps spinning after the call (and the parent) are gone.
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
import threading
def spin():
    while True:
        pass
def reward_function(params):
    threading.Thread(target=spin).start()
    return 31337.0
