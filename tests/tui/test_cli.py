"""``reward tui``: FILE handling (created from the example, one-line errors with exit 2) and lazy imports."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from reward_sdk.cli import main
from reward_sdk.cli.tui_cmd import prepare_file
from reward_sdk.errors import UserError
from reward_sdk.examples import example_source
from tests.conftest import REPO_ROOT


def test_no_file_creates_a_new_one_from_the_centre_line_example(tmp_path: Path) -> None:
    first, text = prepare_file(None, tmp_path)
    assert first == tmp_path / "reward_function.py" and text == example_source("follow_center_line")
    second, _ = prepare_file(None, tmp_path)
    assert second == tmp_path / "reward_function_2.py" and first.read_text(encoding="utf-8") == text


def test_a_named_file_is_created_when_missing_and_kept_when_present(tmp_path: Path) -> None:
    path = tmp_path / "mine.py"
    assert prepare_file(path)[1] == example_source("follow_center_line")
    path.write_text("def reward_function(params):\n    return 2.0\n", encoding="utf-8")
    assert prepare_file(path)[1].endswith("return 2.0\n")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("missing/x.py", "no such directory"),
        ("folder", "is a directory"),
        ("latin1.py", "not a UTF-8 text file"),
    ],
)
def test_bad_files_are_one_line_errors_with_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, expected: str
) -> None:
    (tmp_path / "folder").mkdir()
    (tmp_path / "latin1.py").write_bytes(b"# caf\xe9\ndef reward_function(params):\n    return 1.0\n")
    with pytest.raises(UserError, match=expected):
        prepare_file(tmp_path / name)
    assert main(["tui", str(tmp_path / name)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and expected in err and len(err.strip().splitlines()) == 1


def test_missing_tracks_dir_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tui", str(tmp_path / "r.py"), "--tracks-dir", str(tmp_path / "nope")]) == 2
    assert "no such tracks directory" in capsys.readouterr().err
    assert not (tmp_path / "r.py").exists()


def test_help_does_not_import_textual_and_the_app_does_not_import_later_stages() -> None:
    probe = (
        "import sys\nfrom reward_sdk.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "assert 'textual' not in sys.modules, 'reward --help imported textual'\n"
        "import tui.app\n"
        "late = sorted(m for m in sys.modules if m.split('.')[0] in ('replay', 'trainer', 'torch'))\n"
        "assert not late, late\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False, cwd=REPO_ROOT
    )
    assert done.returncode == 0, done.stderr
