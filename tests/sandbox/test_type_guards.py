"""The class guards: ``type()`` never hands out ``type`` or a metaclass, ``class`` statements cannot build
protocol-bearing classes, dict-backed library results never resolve ``_`` names, ``np.ndarray(buffer=...)`` is
refused — and ordinary reward code that uses classes, ``type()`` and scipy keeps working.

Runs the restricted code in-process (``compile_reward`` + ``restricted_globals`` over the real proxies); the
attack corpus (``attacks/type_*``, ``attacks/attrdict_*``) checks the same through the worker.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from sandbox.guards import CLASS_DUNDERS, TypeToken, _metaclass, restricted_globals
from sandbox.modules import ClassStandIn, ModuleProxy, build_proxies, harden_attribute_dicts, real_class
from sandbox.policy import check_source, compile_reward

scipy_optimize = pytest.importorskip("scipy.optimize")


@pytest.fixture(scope="module")
def proxies() -> dict[str, ModuleProxy]:
    return build_proxies()


def run(proxies: dict[str, ModuleProxy], source: str) -> dict[str, Any]:
    """Execute restricted ``source`` as a reward module; return its globals."""
    table, _sink = restricted_globals(proxies, 10_000, array_type=np.ndarray)
    exec(compile_reward(source, "t.py"), table)
    return table


def members(proxy: ModuleProxy) -> dict[str, Any]:
    value: dict[str, Any] = object.__getattribute__(proxy, "_sbx_members")
    return value


# -- type() ----------------------------------------------------------------------------------------------------
def test_type_returns_harmless_classes_users_can_name(proxies: dict[str, ModuleProxy]) -> None:
    g = run(
        proxies,
        "import numpy as np\n"
        "from shapely.geometry import Point\n"
        "class Reward:\n"
        "    pass\n"
        "r = Reward()\n"
        "checks = [type(1.5) is float, type(3) == int, type(True) is bool, type('s') is str,\n"
        "          type((1,)) is tuple, type(None)() is None, type(np.float64(1.0)) is np.float64,\n"
        "          type(np.zeros(2)) is np.ndarray, type(np.zeros(2)) == np.ndarray,\n"
        "          type(Point(0, 0)) is Point, type(r) is Reward, type(r)() is not r,\n"
        "          type(np.zeros(2).sum()) is np.float64, type(ValueError('x')) is ValueError,\n"
        "          type([]) is list, type({}) == dict, isinstance([1], list), isinstance((1,), (list, tuple)),\n"
        "          not isinstance({}, list), list((1, 2)) == [1, 2], type(set()) is set, dict(a=1) == {'a': 1}]\n",
    )
    assert g["checks"] == [True] * 22
    assert real_class(g["__builtins__"]["type"](1)) is int


@pytest.mark.parametrize(
    "expr",
    [
        "type(1)",
        "object",
        "np.dtype",
        "np.float64",
        "Reward",
        "ValueError",
        "type",
        "np.ndarray",
        "OptimizeResult",
        "np.linalg.svd(np.eye(2))",
        "type(type(np.dtype))",
    ],
)
def test_type_of_classes_and_oddities_is_an_opaque_token(proxies: dict[str, ModuleProxy], expr: str) -> None:
    g = run(
        proxies,
        "import numpy as np\nfrom scipy.optimize import OptimizeResult\n"
        f"class Reward:\n    pass\nt = type({expr})\n",
    )
    token = g["t"]
    assert type(token) is TypeToken
    assert not callable(token)
    with pytest.raises(AttributeError):
        token.mro  # noqa: B018
    with pytest.raises(AttributeError):
        token.anything = 1


def test_no_value_reachable_by_name_gives_a_metaclass(proxies: dict[str, ModuleProxy]) -> None:
    table, _ = restricted_globals(proxies, 100, array_type=np.ndarray)
    type_ = table["__builtins__"]["type"]
    values = list(table["__builtins__"].values())
    for proxy in proxies.values():
        values.extend(members(proxy).values())
    for value in values:
        for shown in (type_(value), type_(type_(value))):
            cls = real_class(shown)
            assert type(shown) is TypeToken or (isinstance(cls, type) and not issubclass(cls, type)), value


def test_tokens_compare_hash_and_isinstance(proxies: dict[str, ModuleProxy]) -> None:
    g = run(
        proxies,
        "import numpy as np\n"
        "a = type(np.dtype('float64'))\nb = type(np.dtype('float64'))\nc = type(np.dtype('int8'))\n"
        "f = type(abs)\n"
        "out = [a is b, a == b, a != c, hash(a) == hash(b), isinstance(abs, f), isinstance(1, f),\n"
        "       isinstance(np.dtype('float64'), a), len({a, b, c})]\n",
    )
    assert g["out"] == [True, True, True, True, True, False, True, 2]


# -- class statements ------------------------------------------------------------------------------------------
REAL_CLASS_REWARD = """
import math


class Base:
    weight = 1.0

    def scale(self, value):
        return value * self.weight


class Reward(Base):
    '''A stateful reward like the ones users ship: module-level instance, methods, super(), comparisons.'''

    def __init__(self):
        self.calls = 0
        self.weight = super().scale(2.0)

    def __eq__(self, other):
        return isinstance(other, Reward) and other.weight == self.weight

    def __lt__(self, other):
        return self.weight < other.weight

    def __contains__(self, key):
        return key == "speed"

    @staticmethod
    def clip(value):
        return min(max(value, 1e-3), 1.0)

    @property
    def twice(self):
        return self.weight * 2


class Bad(ValueError):
    pass


class Counter:
    total = 0


REWARD = Reward()


def reward_function(params):
    REWARD.calls += 1
    Counter.total += 1
    try:
        raise Bad("x")
    except Bad:
        pass
    half = params["track_width"] * 0.5
    inside = "speed" in REWARD and REWARD == Reward() and not REWARD < REWARD
    return REWARD.clip(REWARD.scale(1.0 - params["distance_from_center"] / half) / REWARD.twice) if inside else 0.0
"""


def test_real_reward_with_classes_still_runs(proxies: dict[str, ModuleProxy]) -> None:
    g = run(proxies, REAL_CLASS_REWARD)
    assert g["reward_function"]({"track_width": 1.0, "distance_from_center": 0.25}) == pytest.approx(0.25)
    assert g["REWARD"].calls == 1 and g["Counter"].total == 1
    assert check_source(REAL_CLASS_REWARD) == []


@pytest.mark.parametrize(
    "base",
    ["np.ndarray", "OptimizeResult", "dict", "int", "float", "str", "property", "random.Random", "Point"],
)
def test_class_statement_refuses_library_and_builtin_bases(
    proxies: dict[str, ModuleProxy], base: str
) -> None:
    source = (
        "import random\nimport numpy as np\nfrom scipy.optimize import OptimizeResult\n"
        f"from shapely.geometry import Point\nclass Evil({base}):\n    pass\n"
    )
    with pytest.raises(TypeError, match="not allowed in the sandbox"):
        run(proxies, source)


@pytest.mark.parametrize(
    "key",
    ["__array_interface__", "__array_struct__", "__array__", "__getattr__", "__del__", "__index__", "_x", 1],
)
def test_metaclass_refuses_protocol_members_and_keywords(key: object) -> None:
    with pytest.raises(TypeError, match="not allowed"):
        _metaclass("Evil", (), {"__module__": "m", key: 1})
    with pytest.raises(TypeError, match="keyword"):
        _metaclass("Evil", (), {}, flag=True)
    with pytest.raises(TypeError):
        _metaclass("Evil", (type,), {})


def test_metaclass_accepts_what_class_bodies_define() -> None:
    namespace: dict[str, Any] = {name: (lambda self, *a: True) for name in CLASS_DUNDERS}
    namespace["__init__"] = lambda self: None
    namespace.update({"__module__": "m", "__qualname__": "Ok", "__doc__": "doc", "method": lambda self: 1})
    namespace.pop("__classcell__")
    cls = _metaclass("Ok", (object,), namespace)
    sub = _metaclass("Sub", (cls, ValueError), {"__module__": "m"})
    assert issubclass(sub, cls) and sub().method() == 1
    assert not CLASS_DUNDERS & {"__getattr__", "__array_interface__", "__del__", "__init_subclass__"}


# -- dict-backed results ---------------------------------------------------------------------------------------
def test_optimize_results_never_resolve_private_names(proxies: dict[str, ModuleProxy]) -> None:
    opt = members(proxies["scipy.optimize"])
    iface = {"shape": (1,), "typestr": "<u8", "data": (id(1.5), False), "version": 3}
    result = opt["minimize_scalar"](abs)
    result.update({"__array_interface__": iface, "_private": 1, "extra": 2})
    assert result.extra == 2 and result.success  # public keys still attributes
    assert not hasattr(result, "__array_interface__") and not hasattr(result, "_private")
    assert np.asarray(result).dtype == object and np.asarray(result).shape == ()
    root = opt["root_scalar"](lambda x: x - 1.0, bracket=[0.0, 2.0])
    root.setdefault("__array_interface__", iface)
    assert root.converged and not hasattr(root, "__array_interface__")
    made = opt["OptimizeResult"](**{"__array_interface__": iface})
    assert np.asarray(made).shape == ()
    assert harden_attribute_dicts(opt["OptimizeResult"]) == []  # idempotent: already guarded


def test_no_exposed_class_answers_attributes_dynamically_unguarded(proxies: dict[str, ModuleProxy]) -> None:
    for name, proxy in proxies.items():
        for attr, value in members(proxy).items():
            cls = real_class(value)
            if not isinstance(cls, type):
                continue
            assert not issubclass(cls, type), f"{name}.{attr} is a metaclass"
            for base in cls.__mro__:
                lookup = vars(base).get("__getattr__")
                if lookup is not None:
                    assert getattr(lookup, "_sbx_guarded", False), (
                        f"{name}.{attr}: {base} __getattr__ unguarded"
                    )


# -- numpy.ndarray stand-in ------------------------------------------------------------------------------------
def test_ndarray_stand_in_refuses_raw_buffers(proxies: dict[str, ModuleProxy]) -> None:
    nd = members(proxies["numpy"])["ndarray"]
    assert type(nd) is ClassStandIn and real_class(nd) is np.ndarray
    assert nd((2, 3)).shape == (2, 3) and nd(4, dtype=np.int8).dtype == np.int8
    assert isinstance(np.zeros(1), nd) and not isinstance([1], nd) and issubclass(np.ndarray, nd)
    assert nd == np.ndarray and hash(nd) == hash(np.ndarray) and repr(nd) == repr(np.ndarray)
    cell = np.zeros(1, dtype=np.uint64)
    for kwargs in ({"buffer": cell}, {"buffer": b"12345678"}, {"offset": 8}, {"strides": (8,)}):
        with pytest.raises(TypeError, match="not allowed"):
            nd((1,), object, **kwargs)
    with pytest.raises(AttributeError):
        nd.view  # noqa: B018
    with pytest.raises(AttributeError):
        nd.x = 1


# -- static policy ---------------------------------------------------------------------------------------------
def test_dunder_keyword_and_global_names_are_refused() -> None:
    found = check_source("f(1, __array_interface__=2)\ndef g():\n    global _x\n")
    assert [(v.line, v.col, v.kind) for v in found] == [(1, 6, "dunder"), (3, 5, "dunder")]
    assert check_source("f(x=1, **{'a': 2})\n") == []
