# Attack: reply flood — raise an exception carrying a 64 MB message; the worker must not send it whole and the parent must truncate whatever arrives (parent memory stays bounded).
def reward_function(params):
    raise ValueError("A" * (64 * 1024 * 1024))
