# Attack: import socket and connect out.
# Success would create /tmp/reward_sandbox_attack_marker or return 31337.0.
import socket
def reward_function(params):
    s = socket.create_connection(("127.0.0.1", 22), timeout=0.2)
    return 31337.0
