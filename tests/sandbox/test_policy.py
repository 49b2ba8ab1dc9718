"""Static policy: every violation is reported with its position and kind, without running the code."""

from __future__ import annotations

import pytest

from sandbox import ForbiddenImport, RewardCompileError, Violation, check_source
from sandbox.policy import compile_reward

BAD = """import os
import numpy.f2py
from numpy import save, sum
x = ().__class__
def reward_function(params):
    eval("1")
    return params.tofile
"""


def test_reports_all_violations_with_line_and_column() -> None:
    found = check_source(BAD)
    assert [(v.line, v.col, v.kind) for v in found] == [
        (1, 1, "import"),
        (2, 1, "import"),
        (3, 1, "io"),
        (4, 5, "dunder"),
        (6, 5, "forbidden-name"),
        (7, 12, "io"),
    ]
    assert all(isinstance(v, Violation) and v.message for v in found)


def test_syntax_error_is_one_violation() -> None:
    (only,) = check_source("def f(:\n    pass\n")
    assert only.kind == "syntax" and only.line == 1


def test_clean_source_has_no_violations() -> None:
    source = "import math\nfrom numpy import sum as s\ndef reward_function(params):\n    return math.pi\n"
    assert check_source(source) == []


def test_compile_error_types_and_one_line_message() -> None:
    with pytest.raises(ForbiddenImport) as info:
        compile_reward(BAD, "r.py")
    assert str(info.value).startswith("r.py:1:1: import of module 'os' is not allowed (+5 more violations)")
    assert "\n" not in str(info.value)
    assert len(info.value.violations) == 6
    with pytest.raises(RewardCompileError) as plain:
        compile_reward("x = y.__dict__\n", "r.py")
    assert not isinstance(plain.value, ForbiddenImport)


def test_augmented_assignment_on_attributes_and_items_is_allowed() -> None:
    assert check_source("class A:\n    n = 0\na = A()\na.n += 1\nl = [1]\nl[0] *= 3\n") == []
    assert check_source("a.__x += 1\n")[0].kind == "dunder"


SUBMODULE_IMPORTS = """from shapely.geometry.polygon import LineString, LinearRing, Polygon, orient
from shapely.geometry.point import Point
from shapely.geometry.linestring import LineString as Line
from shapely.geometry.multipolygon import MultiPolygon
from shapely.geometry.geo import box
from scipy.spatial.distance import euclidean
from scipy.interpolate import interp1d
from numpy.linalg import norm
import shapely.geometry.polygon
import scipy.spatial.distance
import numpy.linalg as la
def reward_function(params):
    ring = LinearRing([(0, 0), (2, 0), (2, 2), (0, 2)])
    inside = Polygon(ring).contains(Point(1, 1)) and shapely.geometry.polygon.Polygon is Polygon
    line = Line([(0, 0), (3, 4)])
    d = euclidean([0, 0], [3, 4]) + scipy.spatial.distance.euclidean([0, 0], [0, 1])
    total = d + line.length + float(norm([3.0, 4.0])) + float(la.norm([0.0, 1.0])) + float(interp1d([0, 1], [0, 2])(0.5))
    extra = MultiPolygon([box(0, 0, 1, 1)]).area + orient(Polygon(ring)).area + LineString([(0, 0), (1, 0)]).length
    return total + extra if inside else 0.0
"""


def test_real_submodules_of_allowed_packages_compile_and_run() -> None:
    from sandbox import RewardSandbox

    assert check_source(SUBMODULE_IMPORTS) == []
    with RewardSandbox(SUBMODULE_IMPORTS) as sandbox:
        assert sandbox.score({}) == pytest.approx(5.0 + 1.0 + 5.0 + 5.0 + 1.0 + 1.0 + 1.0 + 4.0 + 1.0)


def test_unvetted_submodules_and_names_stay_refused() -> None:
    found = check_source(
        "from shapely.geometry.base import BaseGeometry\nimport shapely.geometry.base\n"
        "from shapely.geometry.polygon import np\nfrom shapely.geometry.point import shapely\n"
    )
    assert [(v.line, v.kind) for v in found] == [(1, "import"), (2, "import"), (3, "import"), (4, "import")]


def test_dunder_keyword_arguments_are_refused_with_position() -> None:
    found = check_source(
        "from scipy.optimize import OptimizeResult\nr = OptimizeResult(__array_interface__={})\n"
    )
    assert [(v.line, v.col, v.kind) for v in found] == [(2, 20, "dunder")]
    assert "__array_interface__" in found[0].message
