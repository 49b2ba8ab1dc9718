# Attack: import signal and ignore SIGKILL/SIGTERM/SIGALRM.
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
import signal
def reward_function(params):
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    while True:
        pass
