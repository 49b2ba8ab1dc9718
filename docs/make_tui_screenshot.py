"""Write ``docs/img/tui.svg``: the editor tab of ``reward tui`` at 120×32, for the README.

The file in the editor is the ``speed_center_line`` example with one typo (``params["sped"]``) so the live lint
panel shows RW101; everything comes from the repository (no real logs or tracks).

Run from the repository root: ``python docs/make_tui_screenshot.py [OUT.svg]``.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from textual.widgets import TextArea  # noqa: E402

from reward_sdk.examples import example_source  # noqa: E402
from tui.app import RewardTui  # noqa: E402

SIZE = (120, 32)
DEFAULT_OUT = REPO / "docs" / "img" / "tui.svg"


async def _shoot(out: Path) -> None:
    source = example_source("speed_center_line")
    typo = source.replace('params["speed"]', 'params["sped"]', 1)
    if typo == source:
        raise SystemExit("error: the speed_center_line example no longer reads params['speed']")
    with tempfile.TemporaryDirectory(prefix="tui-shot-") as folder:
        path = Path(folder) / "my_reward.py"
        path.write_text(typo, encoding="utf-8")
        app = RewardTui(path, runs_dir=Path(folder) / "runs")
        async with app.run_test(size=SIZE) as pilot:
            app.query_one("#editor", TextArea).cursor_blink = False
            await pilot.pause(0.2)
            await app.workers.wait_for_complete()
            await pilot.pause()
            out.parent.mkdir(parents=True, exist_ok=True)
            app.save_screenshot(filename=out.name, path=str(out.parent))


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else DEFAULT_OUT
    asyncio.run(_shoot(out))
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
