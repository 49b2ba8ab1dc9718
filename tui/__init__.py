"""``reward tui``: the Textual app that ties the pipeline together in one screen.

Tabs: an editor on the reward file with a live lint panel, a reward map of the function over a track, a replay of
real logs (logged vs new reward), a training tab that runs ``reward train`` with live progress, and a comparison
of two training runs. Start it with :func:`tui.app.run_tui` (what ``reward tui FILE`` calls).

The widget modules import Textual; the ``*_data``/``lint_runner``/``reward_grid``/``runs_compare``/
``train_process`` modules do the work without any UI and are what the tests call directly. Later stages
(``replay``, ``trainer``) are imported inside the functions that use them, so opening the editor stays fast.
User code runs only in the sandbox, through the same library functions the CLI uses.
"""
