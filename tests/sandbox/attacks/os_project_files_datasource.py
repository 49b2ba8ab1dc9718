# Attack: class 6 (host view) — read the checkout (/work/main/README.md) and /root through numpy's DataSource.
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
import numpy as np
def reward_function(params):
    source = np.lib.npyio.DataSource(None)
    for path in ("/work/main/README.md", "/root/.bashrc", "/etc/passwd"):
        if source.exists(path):
            source.open(path).read()
            return 31337.0
    return 0.0
