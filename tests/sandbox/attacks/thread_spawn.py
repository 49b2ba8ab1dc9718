# Attack: import threading and start threads.
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
import threading
def reward_function(params):
    threading.Thread(target=lambda: None).start()
    return 31337.0
