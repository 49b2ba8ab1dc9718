"""Spec validation, reward variants and the Tune search space (no Ray runtime needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from reward_sdk.cli import main
from reward_sdk.errors import UserError
from reward_sdk.examples import example_path
from sweep.prepare import prepare
from sweep.spec import load_spec
from sweep.variants import constant_spans, make_variants

GOOD = f"""
name: t
rewards: [{example_path("follow_center_line")}]
tracks: [oval]
hyperparameters:
  lr: [3.0e-4, 1.0e-3]
  beta_entropy: {{uniform: [0.005, 0.02]}}
budget: {{steps: 256}}
"""


def _spec(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "spec.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_good_spec_loads_with_grid_and_distribution(tmp_path: Path) -> None:
    spec = load_spec(_spec(tmp_path, GOOD))
    assert spec.grid_size() == 2 and spec.metric == "first_lap_s" and spec.mode == "min"
    from sweep.runner import param_space

    space = param_space(spec, ["follow_center_line"])
    assert space["hp"]["lr"] == {"grid_search": [3e-4, 1e-3]}
    assert 0.005 <= space["hp"]["beta_entropy"].sample() <= 0.02


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name: t\n  bad: [", "line"),
        ("- a list", "expected a mapping"),
        (GOOD + "colour: red\n", "colour: Extra inputs are not permitted"),
        (GOOD.replace("budget: {steps: 256}", "budget: {steps: 256, minutes: 1}"), "exactly one of minutes"),
        (GOOD.replace("{uniform: [0.005, 0.02]}", "{uniform: [0.02, 0.005]}"), "low < high"),
        (GOOD.replace("{uniform: [0.005, 0.02]}", "{normal: [0, 1]}"), "uniform|loguniform|choice"),
        (GOOD.replace("lr: [", "learning_rate: ["), "unknown hyperparameter 'learning_rate'"),
        (GOOD.replace("lr: [3.0e-4, 1.0e-3]", "lr: [-1]"), "lr must be > 0"),
        (GOOD.replace("objective", "x") + "objective: fastest\n", "objective: Input should be"),
        (GOOD.replace("name: t", "name: ../up"), "name: use letters"),
        (GOOD.replace("rewards: [", "reward: x.py\nrewards: ["), "either rewards"),
        (GOOD.replace(str(example_path("follow_center_line")), "missing.py"), "missing.py does not exist"),
        (GOOD.replace("tracks: [oval]", "tracks: []"), "tracks: List should have at least 1 item"),
    ],
)
def test_spec_errors_are_one_line_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    spec = _spec(tmp_path, text)
    assert main(["sweep", str(spec), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and message in err[0], err
    assert "Traceback" not in err[0]
    assert not (tmp_path / "out").exists()


def test_checks_before_ray_unknown_track_bad_reward_and_options(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = _spec(tmp_path, GOOD.replace("tracks: [oval]", "tracks: [no_such_track]"))
    assert main(["sweep", str(spec), "--out", str(tmp_path / "o1")]) == 2
    assert "no_such_track" in capsys.readouterr().err
    bad = tmp_path / "bad.py"
    bad.write_text("import os\n\ndef reward_function(params):\n    return 1.0\n", encoding="utf-8")
    spec = _spec(tmp_path, GOOD.replace(str(example_path("follow_center_line")), str(bad)))
    assert main(["sweep", str(spec), "--out", str(tmp_path / "o2")]) == 2
    assert "os" in capsys.readouterr().err
    spec = _spec(tmp_path, GOOD)
    assert main(["sweep", str(spec), "--address", "10.0.0.1:6379"]) == 2
    assert "ray://HOST:PORT" in capsys.readouterr().err
    assert main(["sweep", str(spec), "--max-concurrent", "0"]) == 2
    assert main(["sweep", str(spec), "--out", str(tmp_path / "o3"), "--resume"]) == 2
    assert "no sweep to resume" in capsys.readouterr().err
    (tmp_path / "o4" / "tune").mkdir(parents=True)
    assert main(["sweep", str(spec), "--out", str(tmp_path / "o4")]) == 2
    assert "--resume" in capsys.readouterr().err


SOURCE = '''"""doc"""
import math

WEIGHT = 1.0  # the weight
NAME: str = "a"
TWICE = 1
TWICE = 2
A = B = 3


def reward_function(params):
    return WEIGHT * math.cos(0.0)
'''


def test_variants_rewrite_only_the_constants() -> None:
    spans = constant_spans(SOURCE)
    assert set(spans) == {"WEIGHT", "NAME"}  # reassigned and chained names are not constants
    variants = make_variants(SOURCE, "r", {"WEIGHT": [0.5, 2], "NAME": ["b"]})
    assert [v.label for v in variants] == ["r[WEIGHT=0.5,NAME='b']", "r[WEIGHT=2,NAME='b']"]
    assert variants[0].source == SOURCE.replace("WEIGHT = 1.0", "WEIGHT = 0.5").replace('"a"', "'b'")
    assert "# the weight" in variants[1].source and variants[1].filename == "r__WEIGHT-2__NAME-_b_.py"
    namespace: dict[str, object] = {}
    exec(compile(variants[1].source, "v", "exec"), namespace)
    assert namespace["WEIGHT"] == 2 and namespace["NAME"] == "b"
    with pytest.raises(UserError, match="TWICE is not a module-level constant"):
        make_variants(SOURCE, "r", {"TWICE": [1]})


def test_constants_spec_writes_variant_files(tmp_path: Path) -> None:
    reward = tmp_path / "w.py"
    # the sandbox refuses annotated assignments: the file keeps the plain ones
    reward.write_text(SOURCE.replace('NAME: str = "a"\n', ""), encoding="utf-8")
    text = GOOD.replace(
        f"rewards: [{example_path('follow_center_line')}]", "reward: w.py\nconstants: {WEIGHT: [1, 3]}"
    )
    spec_path = _spec(tmp_path, text)
    plan = prepare(load_spec(spec_path), spec_path, tmp_path / "out")
    assert list(plan.rewards) == ["w[WEIGHT=1]", "w[WEIGHT=3]"]
    files = sorted(p.name for p in (tmp_path / "out" / "rewards").iterdir())
    assert files == ["w__WEIGHT-1.py", "w__WEIGHT-3.py"]
    assert "WEIGHT = 3  # the weight" in (tmp_path / "out" / "rewards" / "w__WEIGHT-3.py").read_text()
    assert (tmp_path / "out" / "spec.yaml").read_text() == text
    assert load_spec(spec_path).grid_size() == 4
