# Attack: class 6 (signals) — scipy.io.wavfile.os.kill of the neighbouring pids (sibling workers started just before).
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
import scipy.io.wavfile
def reward_function(params):
    own = scipy.io.wavfile.os.getpid()
    for pid in range(own - 50, own + 50):
        if pid != own:
            try:
                scipy.io.wavfile.os.kill(pid, 15)
            except Exception:
                pass
    return 31337.0
