"""Request hooks, as requests.hooks: the only event is "response"."""

HOOKS = ["response"]


def default_hooks():
    return {event: [] for event in HOOKS}


def dispatch_hook(key, hooks, hook_data, **kwargs):
    """Runs the hooks for `key` on hook_data; a hook that returns a value replaces it."""
    hooks = hooks or {}
    fns = hooks.get(key)
    if fns:
        if callable(fns):
            fns = [fns]
        for fn in fns:
            out = fn(hook_data, **kwargs)
            if out is not None:
                hook_data = out
    return hook_data
