"""The exact module allowlist and the read-only proxies user code receives instead of real modules.

User code never holds a real module: ``import numpy`` binds a :class:`ModuleProxy` exposing only the vetted names
listed here, and any vetted name whose value is itself a module is replaced by that module's proxy. Imports are
checked on the full dotted name (``numpy.f2py`` is refused although ``numpy`` is allowed); ``from m import x`` must
name a vetted member of ``m``.

This module imports nothing heavy at import time: ``ALLOWED_MODULES``/``vetted_names`` are pure data, used by the
static policy; :func:`build_proxies` imports the real modules (in the worker, before limits apply).

Audit of objects that could carry numpy protocol members (``__array_interface__``, ``__array_struct__``,
``__array__``, ``__dlpack__`` ...) chosen by user code — numpy reads them *on the instance*, so any object whose
attributes user code controls by name is a raw-memory primitive (forged data pointer, object-dtype pointers):

===========================================  ================================================================
allowed name(s)                              why safe / what was done
===========================================  ================================================================
``numpy.ndarray``                            ``ndarray(shape, dtype=object, buffer=b)`` reinterprets raw bytes as
                                             object pointers: exposed as a :class:`ClassStandIn` that refuses
                                             ``buffer``/``offset``/``strides`` (``isinstance`` and ``type(a) is
                                             np.ndarray`` keep working)
``numpy.asarray array ascontiguousarray      consume the protocols: safe because no user-reachable object carries
copy`` ..., every ufunc and reduction        them (rows below; user classes: ``sandbox.guards`` filters class
                                             namespaces and bases, ``setattr``/``vars``/``__dict__`` are refused)
``frombuffer from_dlpack fromiter            not exposed; ``ctypeslib``/``ctypes`` refused on every object,
fromstring ctypeslib rec recarray lib ma``   ``memoryview`` is a forbidden builtin
``numpy.dtype``                              structured field names are items, never attributes (no ``recarray``
                                             / ``np.rec`` / ``np.record`` reachable); ``.view(object)`` and
                                             ``getfield(object)`` are refused by numpy itself
``numpy.errstate finfo iinfo random.*``,     fixed attributes; attribute writes refused by ``_write_``
``random.Random``
``numpy.linalg`` results (``SVDResult`` ..)  namedtuples: immutable, ``_make``/``_replace`` unreachable, their
                                             class is an opaque token under ``type()``
``scipy.optimize``: ``OptimizeResult``,      dict subclasses whose keys are attributes (``_RichResult``); keys can
``RootResults`` and every function that      be added through ``update``/``setdefault``/``fromkeys``/``|=``/the
returns or passes them (``minimize*``,       constructor/``**kwargs``/unbound ``dict.update`` and callbacks get live
``root*``, ``least_squares``, ``linprog``,   ``intermediate_result`` objects, so writes cannot be closed one by
``milp``, ``basinhopping``,                  one: :func:`build_proxies` guards ``__getattr__`` of every exposed
``differential_evolution``, ``shgo`` ...)    dict-backed class (process-wide, in the worker): a name starting with
                                             ``_`` never resolves to a key
``scipy.signal.place_poles``                 returns a ``Bunch`` (attributes from keyword arguments): its class is
                                             never handed out (``type()`` gives an opaque token), instance
                                             attributes are read-only
other ``scipy.interpolate spatial special``  fixed attributes, read-only; no exposed class defines ``__getattr__``
``signal`` classes                           (checked by the tests)
``shapely`` geometries, ``mapping shape``    geometries are immutable; ``mapping`` returns a plain dict (keys are
                                             not attributes); ``shape`` reads ``__geo_interface__`` (data only)
``math``                                     numbers and functions of numbers only
===========================================  ================================================================
"""

from __future__ import annotations

import importlib
import types
from collections.abc import Callable, Iterable, Mapping
from typing import Any

__all__ = [
    "ALLOWED_MODULES",
    "DENIED_NAME_PARTS",
    "ClassStandIn",
    "ModuleProxy",
    "build_proxies",
    "harden_attribute_dicts",
    "make_import",
    "real_class",
    "vetted_names",
]

_MATH = frozenset(
    [
        "acos",
        "acosh",
        "asin",
        "asinh",
        "atan",
        "atan2",
        "atanh",
        "cbrt",
        "ceil",
        "comb",
        "copysign",
        "cos",
        "cosh",
        "degrees",
        "dist",
        "e",
        "erf",
        "erfc",
        "exp",
        "exp2",
        "expm1",
        "fabs",
        "factorial",
        "floor",
        "fmod",
        "frexp",
        "fsum",
        "gamma",
        "gcd",
        "hypot",
        "inf",
        "isclose",
        "isfinite",
        "isinf",
        "isnan",
        "isqrt",
        "lcm",
        "ldexp",
        "lgamma",
        "log",
        "log10",
        "log1p",
        "log2",
        "modf",
        "nan",
        "nextafter",
        "perm",
        "pi",
        "pow",
        "prod",
        "radians",
        "remainder",
        "sin",
        "sinh",
        "sqrt",
        "sumprod",
        "tan",
        "tanh",
        "tau",
        "trunc",
        "ulp",
    ]
)
_RANDOM = frozenset(
    [
        "betavariate",
        "choice",
        "choices",
        "expovariate",
        "gammavariate",
        "gauss",
        "getrandbits",
        "lognormvariate",
        "normalvariate",
        "paretovariate",
        "randbytes",
        "randint",
        "random",
        "randrange",
        "sample",
        "seed",
        "shuffle",
        "triangular",
        "uniform",
        "vonmisesvariate",
        "weibullvariate",
        "Random",
    ]
)
_NUMPY = frozenset(
    [
        "abs",
        "absolute",
        "acos",
        "acosh",
        "add",
        "all",
        "allclose",
        "amax",
        "amin",
        "angle",
        "any",
        "append",
        "arange",
        "arccos",
        "arccosh",
        "arcsin",
        "arcsinh",
        "arctan",
        "arctan2",
        "arctanh",
        "argmax",
        "argmin",
        "argpartition",
        "argsort",
        "argwhere",
        "around",
        "array",
        "array_equal",
        "array_equiv",
        "array_split",
        "asarray",
        "ascontiguousarray",
        "asin",
        "asinh",
        "atan",
        "atan2",
        "atanh",
        "atleast_1d",
        "atleast_2d",
        "atleast_3d",
        "average",
        "bincount",
        "bool",
        "bool_",
        "broadcast_arrays",
        "broadcast_to",
        "cbrt",
        "ceil",
        "clip",
        "column_stack",
        "concat",
        "concatenate",
        "conj",
        "conjugate",
        "convolve",
        "copy",
        "copysign",
        "corrcoef",
        "correlate",
        "cos",
        "cosh",
        "count_nonzero",
        "cov",
        "cross",
        "cumprod",
        "cumsum",
        "deg2rad",
        "degrees",
        "delete",
        "diag",
        "diagonal",
        "diff",
        "digitize",
        "divide",
        "divmod",
        "dot",
        "dstack",
        "dtype",
        "e",
        "ediff1d",
        "einsum",
        "empty",
        "empty_like",
        "equal",
        "errstate",
        "exp",
        "exp2",
        "expand_dims",
        "expm1",
        "eye",
        "fabs",
        "finfo",
        "fix",
        "flatnonzero",
        "flip",
        "fliplr",
        "flipud",
        "float16",
        "float32",
        "float64",
        "floating",
        "floor",
        "floor_divide",
        "fmax",
        "fmin",
        "fmod",
        "frexp",
        "full",
        "full_like",
        "gcd",
        "geomspace",
        "gradient",
        "greater",
        "greater_equal",
        "heaviside",
        "histogram",
        "hsplit",
        "hstack",
        "hypot",
        "identity",
        "iinfo",
        "inf",
        "inner",
        "insert",
        "int16",
        "int32",
        "int64",
        "int8",
        "int_",
        "integer",
        "interp",
        "intersect1d",
        "intp",
        "isclose",
        "isfinite",
        "isin",
        "isinf",
        "isnan",
        "isscalar",
        "issubdtype",
        "lcm",
        "ldexp",
        "less",
        "less_equal",
        "linalg",
        "linspace",
        "log",
        "log10",
        "log1p",
        "log2",
        "logaddexp",
        "logical_and",
        "logical_not",
        "logical_or",
        "logical_xor",
        "logspace",
        "matmul",
        "max",
        "maximum",
        "mean",
        "median",
        "meshgrid",
        "min",
        "minimum",
        "mod",
        "modf",
        "moveaxis",
        "multiply",
        "nan",
        "nan_to_num",
        "nanargmax",
        "nanargmin",
        "nanmax",
        "nanmean",
        "nanmedian",
        "nanmin",
        "nanpercentile",
        "nanstd",
        "nansum",
        "nanvar",
        "ndarray",
        "ndim",
        "negative",
        "newaxis",
        "nonzero",
        "not_equal",
        "number",
        "ones",
        "ones_like",
        "outer",
        "pad",
        "partition",
        "percentile",
        "pi",
        "polyfit",
        "polyval",
        "positive",
        "pow",
        "power",
        "prod",
        "ptp",
        "quantile",
        "rad2deg",
        "radians",
        "random",
        "ravel",
        "real",
        "reciprocal",
        "remainder",
        "repeat",
        "reshape",
        "resize",
        "rint",
        "roll",
        "rot90",
        "round",
        "searchsorted",
        "select",
        "setdiff1d",
        "sign",
        "signbit",
        "sin",
        "sinc",
        "sinh",
        "size",
        "sort",
        "split",
        "sqrt",
        "square",
        "squeeze",
        "stack",
        "std",
        "subtract",
        "sum",
        "swapaxes",
        "take",
        "tan",
        "tanh",
        "tile",
        "trace",
        "transpose",
        "trapezoid",
        "tril",
        "triu",
        "true_divide",
        "trunc",
        "uint16",
        "uint32",
        "uint64",
        "uint8",
        "union1d",
        "unique",
        "unwrap",
        "var",
        "vdot",
        "vstack",
        "where",
        "zeros",
        "zeros_like",
        "fft",
    ]
)
_NUMPY_LINALG = frozenset(
    [
        "LinAlgError",
        "cholesky",
        "cond",
        "det",
        "eig",
        "eigh",
        "eigvals",
        "eigvalsh",
        "inv",
        "lstsq",
        "matrix_power",
        "matrix_rank",
        "norm",
        "pinv",
        "qr",
        "slogdet",
        "solve",
        "svd",
    ]
)
_NUMPY_RANDOM = frozenset(
    [
        "Generator",
        "default_rng",
        "beta",
        "binomial",
        "chisquare",
        "choice",
        "exponential",
        "gamma",
        "geometric",
        "gumbel",
        "laplace",
        "logistic",
        "lognormal",
        "normal",
        "pareto",
        "permutation",
        "poisson",
        "power",
        "rand",
        "randint",
        "randn",
        "random",
        "random_sample",
        "rayleigh",
        "shuffle",
        "standard_normal",
        "triangular",
        "uniform",
        "vonmises",
        "weibull",
    ]
)
_NUMPY_FFT = frozenset(
    [
        "fft",
        "ifft",
        "fft2",
        "ifft2",
        "fftn",
        "ifftn",
        "rfft",
        "irfft",
        "fftfreq",
        "rfftfreq",
        "fftshift",
        "ifftshift",
    ]
)
_SHAPELY_GEOMETRY = frozenset(
    [
        "Point",
        "LineString",
        "LinearRing",
        "Polygon",
        "MultiPoint",
        "MultiLineString",
        "MultiPolygon",
        "GeometryCollection",
        "box",
        "mapping",
        "shape",
        "CAP_STYLE",
        "JOIN_STYLE",
    ]
)
#: Real submodules of ``shapely.geometry`` (accepted by the AWS validator, used by real reward functions such as
#: ``from shapely.geometry.polygon import LineString``): only their names that are vetted geometry classes and
#: pure geometry functions; never ``shapely.geometry.base`` (``geom_factory``, ``GeometrySequence``, ``re``).
_SHAPELY_GEOMETRY_SUBMODULES: Mapping[str, frozenset[str]] = {
    "shapely.geometry.point": frozenset(["Point"]),
    "shapely.geometry.linestring": frozenset(["LineString", "Point", "JOIN_STYLE"]),
    "shapely.geometry.polygon": frozenset(
        ["LinearRing", "LineString", "Point", "Polygon", "orient", "signed_area"]
    ),
    "shapely.geometry.multipoint": frozenset(["MultiPoint"]),
    "shapely.geometry.multilinestring": frozenset(["MultiLineString"]),
    "shapely.geometry.multipolygon": frozenset(["MultiPolygon"]),
    "shapely.geometry.collection": frozenset(["GeometryCollection"]),
    "shapely.geometry.geo": _SHAPELY_GEOMETRY - {"CAP_STYLE", "JOIN_STYLE"},
}
_SHAPELY = _SHAPELY_GEOMETRY - {"mapping", "shape", "CAP_STYLE", "JOIN_STYLE"} | frozenset(
    [
        "geometry",
        "ops",
        "affinity",
        "area",
        "boundary",
        "bounds",
        "buffer",
        "centroid",
        "clip_by_rect",
        "contains",
        "contains_xy",
        "convex_hull",
        "covered_by",
        "covers",
        "crosses",
        "difference",
        "disjoint",
        "distance",
        "dwithin",
        "envelope",
        "equals",
        "frechet_distance",
        "get_coordinates",
        "hausdorff_distance",
        "intersection",
        "intersects",
        "intersects_xy",
        "is_empty",
        "is_valid",
        "length",
        "line_interpolate_point",
        "line_locate_point",
        "linestrings",
        "points",
        "polygons",
        "shortest_line",
        "simplify",
        "touches",
        "union",
        "unary_union",
        "within",
        "from_wkt",
        "to_wkt",
    ]
)
_SHAPELY_OPS = frozenset(
    [
        "nearest_points",
        "substring",
        "unary_union",
        "linemerge",
        "split",
        "snap",
        "transform",
        "orient",
        "polygonize",
        "triangulate",
        "shared_paths",
        "clip_by_rect",
    ]
)
_SHAPELY_AFFINITY = frozenset(["rotate", "scale", "skew", "translate", "affine_transform"])

_SCIPY_SUBMODULES = (
    "scipy.spatial",
    "scipy.spatial.distance",
    "scipy.interpolate",
    "scipy.special",
    "scipy.signal",
    "scipy.optimize",
)

#: Exact allowlist: full dotted module name -> vetted public names (None = filtered automatically at build time).
ALLOWED_MODULES: Mapping[str, frozenset[str] | None] = {
    "math": _MATH,
    "random": _RANDOM,
    "numpy": _NUMPY,
    "numpy.linalg": _NUMPY_LINALG,
    "numpy.random": _NUMPY_RANDOM,
    "numpy.fft": _NUMPY_FFT,
    "shapely": _SHAPELY,
    "shapely.geometry": _SHAPELY_GEOMETRY,
    **_SHAPELY_GEOMETRY_SUBMODULES,
    "shapely.ops": _SHAPELY_OPS,
    "shapely.affinity": _SHAPELY_AFFINITY,
    "scipy": frozenset(name.split(".")[1] for name in _SCIPY_SUBMODULES if name.count(".") == 1),
    **dict.fromkeys(_SCIPY_SUBMODULES),
}

#: Name fragments never exposed by the automatic (scipy) filter: file I/O, native access, processes, global state.
DENIED_NAME_PARTS = (
    "load",
    "save",
    "read",
    "write",
    "file",
    "memmap",
    "ctypes",
    "open",
    "test",
    "show",
    "set",
)


def vetted_names(module: str) -> frozenset[str] | None:
    """Vetted public names of allowlisted ``module`` (None when filtered at build time); KeyError if not
    allowed."""
    return ALLOWED_MODULES[module]


class ModuleProxy:
    """Read-only stand-in for an allowlisted module.

    Exposes exactly the vetted members through normal attribute lookup (used by ``from m import x`` and by the
    guarded ``_getattr_``). Has no writable attributes, no fallback to the real module, and raises fresh
    ``AttributeError`` objects that do not reference the real module.
    """

    __slots__ = ("_sbx_members", "_sbx_name")

    _sbx_members: dict[str, Any]
    _sbx_name: str

    def __init__(self, name: str, members: dict[str, Any]) -> None:
        object.__setattr__(self, "_sbx_name", name)
        object.__setattr__(self, "_sbx_members", members)

    def __getattr__(self, name: str) -> Any:
        if not name.startswith("_"):
            members: dict[str, Any] = object.__getattribute__(self, "_sbx_members")
            if name in members:
                return members[name]
        raise AttributeError(
            f"module {object.__getattribute__(self, '_sbx_name')!r} has no attribute {name!r}"
        )

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("sandbox modules are read-only")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("sandbox modules are read-only")

    def __repr__(self) -> str:
        return f"<sandbox module {object.__getattribute__(self, '_sbx_name')!r}>"

    def __dir__(self) -> list[str]:
        return sorted(object.__getattribute__(self, "_sbx_members"))


class ClassStandIn:
    """What user code holds instead of a class whose real constructor is unsafe (``numpy.ndarray``).

    Calling it runs ``factory`` (a checked constructor); ``isinstance(x, stand_in)`` and ``issubclass`` answer
    for the real class; it equals itself and the real class and hashes like it. It has no other attributes
    (the real class and its methods stay out of reach) and is read-only. :func:`sandbox.guards.restricted_globals`
    makes ``type(x)`` return the stand-in for instances of the real class, so ``type(a) is np.ndarray`` holds.
    """

    __slots__ = ("_sbx_cls", "_sbx_factory")

    _sbx_cls: type
    _sbx_factory: Callable[..., Any]

    def __init__(self, cls: type, factory: Callable[..., Any]) -> None:
        object.__setattr__(self, "_sbx_cls", cls)
        object.__setattr__(self, "_sbx_factory", factory)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return object.__getattribute__(self, "_sbx_factory")(*args, **kwargs)

    def __instancecheck__(self, obj: Any) -> bool:
        return isinstance(obj, object.__getattribute__(self, "_sbx_cls"))

    def __subclasscheck__(self, cls: Any) -> bool:
        real = object.__getattribute__(self, "_sbx_cls")
        if type(cls) is ClassStandIn:
            cls = object.__getattribute__(cls, "_sbx_cls")
        return isinstance(cls, type) and issubclass(cls, real)

    def __eq__(self, other: object) -> bool:
        return other is self or other is object.__getattribute__(self, "_sbx_cls")

    def __hash__(self) -> int:
        return hash(object.__getattribute__(self, "_sbx_cls"))

    def __repr__(self) -> str:
        return repr(object.__getattribute__(self, "_sbx_cls"))

    def __getattr__(self, name: str) -> Any:
        raise AttributeError(f"{self!r} has no attribute {name!r} in the sandbox")

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("sandbox classes are read-only")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("sandbox classes are read-only")


def real_class(obj: Any) -> Any:
    """The class a :class:`ClassStandIn` stands for; any other object unchanged."""
    return object.__getattribute__(obj, "_sbx_cls") if type(obj) is ClassStandIn else obj


def _checked_ndarray(cls: type) -> Callable[..., Any]:
    def ndarray(
        shape: Any,
        dtype: Any = float,
        buffer: Any = None,
        offset: Any = 0,
        strides: Any = None,
        order: Any = None,
    ) -> Any:
        """``numpy.ndarray(shape, dtype, order=...)``: a new uninitialised array; ``buffer``/``offset``/
        ``strides`` (raw reinterpretation of another object's memory) raise TypeError."""
        if buffer is not None or offset or strides is not None:
            raise TypeError("numpy.ndarray(buffer=, offset=, strides=) is not allowed in the sandbox")
        return cls(shape, dtype, order=order)

    return ndarray


#: Classes replaced by a :class:`ClassStandIn`: (module, name) -> factory builder (given the real class).
_STAND_INS: Mapping[tuple[str, str], Callable[[type], Callable[..., Any]]] = {
    ("numpy", "ndarray"): _checked_ndarray,
}


def _private_names_refused(lookup: Callable[[Any, str], Any]) -> Callable[[Any, str], Any]:
    def __getattr__(self: Any, name: str) -> Any:  # noqa: N807
        if name[:1] == "_":
            raise AttributeError(name)
        return lookup(self, name)

    __getattr__._sbx_guarded = True  # type: ignore[attr-defined]
    __getattr__.__qualname__ = getattr(lookup, "__qualname__", "__getattr__")
    return __getattr__


def harden_attribute_dicts(cls: type) -> list[type]:
    """Guard every dict-backed class in ``cls``'s MRO (a ``dict`` subclass defining ``__getattr__``, like scipy's
    ``OptimizeResult``): afterwards a name starting with ``_`` never resolves to a key, so a key such as
    ``"__array_interface__"`` added by any route is invisible to numpy's protocol lookups.

    Changes the classes process-wide (meant for the worker; idempotent). Returns the classes changed now.
    """
    changed: list[type] = []
    if not isinstance(cls, type) or not issubclass(cls, dict):
        return changed
    for base in cls.__mro__:
        lookup = vars(base).get("__getattr__")
        if lookup is None or getattr(lookup, "_sbx_guarded", False):
            continue
        type.__setattr__(base, "__getattr__", _private_names_refused(lookup))
        changed.append(base)
    return changed


def _auto_names(module: types.ModuleType) -> frozenset[str]:
    """Public non-module names of ``module`` not matching :data:`DENIED_NAME_PARTS` (for unvetted scipy)."""
    names = set()
    for name in getattr(module, "__all__", None) or dir(module):
        if name.startswith("_") or any(part in name.lower() for part in DENIED_NAME_PARTS):
            continue
        if isinstance(getattr(module, name, None), types.ModuleType):
            continue
        names.add(name)
    return frozenset(names)


def build_proxies(roots: Iterable[str] | None = None) -> dict[str, ModuleProxy]:
    """Import every importable allowlisted module and build its proxy (full dotted name -> proxy).

    :param roots: top-level package names to load (e.g. ``{"math", "numpy"}``); None loads all. Loading only
        what the source imports keeps worker start fast (scipy alone takes ~0.4 s).

    Modules that are not installed (scipy may be missing) are left out, so importing them fails like any other
    forbidden import. A vetted member whose value is a module becomes that module's proxy, or is dropped if
    the submodule is not itself allowlisted. Classes in :data:`_STAND_INS` are exposed as a
    :class:`ClassStandIn`; every exposed dict-backed class is hardened (:func:`harden_attribute_dicts`,
    process-wide: call this in the worker).
    """
    real: dict[str, types.ModuleType] = {}
    for name in ALLOWED_MODULES:
        if roots is not None and name.split(".", 1)[0] not in roots:
            continue
        try:
            real[name] = importlib.import_module(name)
        except ImportError:
            continue
    proxies: dict[str, ModuleProxy] = {}
    stand_ins: dict[type, ClassStandIn] = {}

    def proxy_for(name: str) -> ModuleProxy:
        if name in proxies:
            return proxies[name]
        module = real[name]
        vetted = ALLOWED_MODULES[name]
        names = vetted if vetted is not None else _auto_names(module)
        members: dict[str, Any] = {}
        proxies[name] = ModuleProxy(name, members)
        for attr in sorted(names):
            value = getattr(module, attr, None)
            if value is None and not hasattr(module, attr):
                continue
            if isinstance(value, types.ModuleType):
                full = f"{name}.{attr}"
                if full in real:
                    members[attr] = proxy_for(full)
                continue
            if isinstance(value, type):
                harden_attribute_dicts(value)
                make = _STAND_INS.get((name, attr))
                if make is not None:
                    value = stand_ins.setdefault(value, ClassStandIn(value, make(value)))
            members[attr] = value
        for full in real:  # allowlisted child modules are reachable as attributes too
            parent, _, child = full.rpartition(".")
            if parent == name and child not in members:
                members[child] = proxy_for(full)
        return proxies[name]

    for name in real:
        proxy_for(name)
    return proxies


def make_import(proxies: Mapping[str, ModuleProxy]) -> Callable[..., ModuleProxy]:
    """Return the ``__import__`` given to user code: exact-name allowlist, proxies only, no relative imports."""

    def guarded_import(
        name: str,
        globals: Any = None,
        locals: Any = None,
        fromlist: Any = (),
        level: int = 0,
    ) -> ModuleProxy:
        if type(name) is not str or level != 0 or name not in proxies:
            raise ImportError(f"import of {name!r} is not allowed (allowed: {', '.join(sorted(proxies))})")
        if fromlist:
            target = proxies[name]
            for item in fromlist:
                if type(item) is not str or item.startswith("_") or not hasattr(target, item):
                    raise ImportError(f"cannot import {item!r} from {name!r} (not an allowed name)")
            return target
        return proxies[name.split(".", 1)[0]]

    return guarded_import
