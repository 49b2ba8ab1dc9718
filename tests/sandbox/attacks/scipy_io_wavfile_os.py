# Attack: import scipy.io.wavfile and use its os attribute.
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
import scipy.io.wavfile
def reward_function(params):
    scipy.io.wavfile.os.system("touch /tmp/reward_sandbox_attack_marker")
    return 31337.0
