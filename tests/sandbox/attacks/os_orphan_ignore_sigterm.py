# Attack: class 5 (orphans) — ignore SIGTERM/SIGHUP and spin in every call, hoping to survive the parent.
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
import signal
signal.signal(signal.SIGTERM, signal.SIG_IGN)
signal.signal(signal.SIGHUP, signal.SIG_IGN)
def reward_function(params):
    while True:
        pass
