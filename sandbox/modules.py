"""The exact module allowlist and the read-only proxies user code receives instead of real modules.

User code never holds a real module: ``import numpy`` binds a :class:`ModuleProxy` exposing only the vetted names
listed here, and any vetted name whose value is itself a module is replaced by that module's proxy. Imports are
checked on the full dotted name (``numpy.f2py`` is refused although ``numpy`` is allowed); ``from m import x`` must
name a vetted member of ``m``.

This module imports nothing heavy at import time: ``ALLOWED_MODULES``/``vetted_names`` are pure data, used by the
static policy; :func:`build_proxies` imports the real modules (in the worker, before limits apply).
"""

from __future__ import annotations

import importlib
import types
from collections.abc import Callable, Iterable, Mapping
from typing import Any

__all__ = [
    "ALLOWED_MODULES",
    "DENIED_NAME_PARTS",
    "ModuleProxy",
    "build_proxies",
    "make_import",
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
    the submodule is not itself allowlisted.
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
