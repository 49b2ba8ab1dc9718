"""Run-time guards and builtins for restricted code (the names RestrictedPython's rewritten code calls).

RestrictedPython rewrites ``a.b`` to ``_getattr_(a, "b")``, ``a[i]`` to ``_getitem_(a, i)``, ``for x in y`` to
``for x in _getiter_(y)``, ``a.b = v`` / ``a[i] = v`` to ``_write_(a).b = v`` and so on; this module supplies those
functions plus the builtins. :func:`restricted_globals` assembles a fresh globals dict for one reward module.

Guarantees (beyond RestrictedPython's compile-time refusal of ``_``-names):

* attribute reads: never a name starting with ``_``, never a denied name (file I/O, ``ctypes``, frames,
  ``ndarray.resize``), never a real module, never an attribute *of* a real module;
  ``str.format``/``format_map``
  resolve fields through these same guards;
* writes: items of ``dict``/``list``/``numpy.ndarray`` and attributes of instances of classes defined by the user
  code; everything else is read-only;
* classes (``class`` statements, through ``__metaclass__``): bases only ``object``, builtin exceptions and other
  user classes; no class keywords; namespace names starting with ``_`` only the ones RestrictedPython lets a
  class body define (``__init__``, ``__eq__`` ... ``__contains__``) plus what the compiler adds
  (``__module__``, ``__qualname__``, ``__doc__``, ``__classcell__``), so no user class carries a numpy/buffer
  protocol member (``__array_interface__``, ``__array__``, ``__getattr__`` ...);
* ``type(x)`` (one argument only) returns the class only when user code could name it anyway or it is a
  harmless builtin/numpy scalar/user class (the ``numpy.ndarray`` stand-in for arrays), and an opaque
  :class:`TypeToken` otherwise (supports ``==``, ``is``, ``hash`` and ``isinstance`` only, not calling): never
  ``type`` itself nor any other metaclass;
* builtins: :data:`RestrictedPython.safe_builtins` minus ``setattr/delattr/SystemExit/KeyboardInterrupt/
  BaseException/GeneratorExit``, plus ``min max sum enumerate map filter zip sorted reversed tuple list dict set
  frozenset any all iter next`` (iterating through ``_getiter_``), the guarded ``type``, guarded
  ``getattr``/``hasattr`` and the class machinery;
* ``print`` goes to a bounded in-memory collector, never to stdout.
"""

from __future__ import annotations

import _string
import builtins
import operator
import string
import sys
import types
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from RestrictedPython.Guards import guarded_iter_unpack_sequence, guarded_unpack_sequence, safe_builtins
from RestrictedPython.transformer import ALLOWED_FUNC_NAMES, INSPECT_ATTRIBUTES

from sandbox.modules import ClassStandIn, ModuleProxy, make_import, real_class
from sandbox.policy import IO_ATTRIBUTES, NATIVE_ATTRIBUTES

__all__ = ["DENIED_ATTRIBUTES", "PrintSink", "TypeToken", "guarded_getattr", "restricted_globals"]

#: Attribute names refused on any object that is not a module proxy.
DENIED_ATTRIBUTES = frozenset(
    IO_ATTRIBUTES
    | NATIVE_ATTRIBUTES
    | INSPECT_ATTRIBUTES
    | frozenset(
        [
            "resize",
            "setflags",
            "mro",
            "obj",
            "f2py",
            "testing",
            "lib",
            "ma",
            "info",
            "show_config",
            "show_runtime",
            "seterr",
            "seterrcall",
            "setbufsize",
            "set_printoptions",
            "frompyfunc",
            "vectorize",
            "cr_frame",
            "ag_frame",
            "cr_code",
            "ag_code",
            "tb_frame",
            "f_back",
            "gi_frame",
            "gi_code",
            "f_globals",
            "f_locals",
            "f_builtins",
            "co_code",
            "bit_generator",
            "lock",
        ]
    )
)
_MODULE = types.ModuleType
_user_classes: weakref.WeakSet[type] = weakref.WeakSet()


class _GuardedFormatter(string.Formatter):
    """``str.format`` whose ``{a.b}``/``{a[k]}`` fields go through the sandbox guards."""

    def get_field(self, field_name: str, args: Any, kwargs: Any) -> tuple[Any, str]:
        first, rest = _string.formatter_field_name_split(field_name)
        obj = self.get_value(first, args, kwargs)
        for is_attr, key in rest:
            obj = guarded_getattr(obj, key) if is_attr else guarded_getitem(obj, key)
        return obj, first if isinstance(first, str) else str(first)


_FORMATTER = _GuardedFormatter()


def _bound_format(text: str) -> Callable[..., str]:
    def format(*args: Any, **kwargs: Any) -> str:
        return _FORMATTER.vformat(text, args, kwargs)

    return format


def _bound_format_map(text: str) -> Callable[[Mapping[str, Any]], str]:
    def format_map(mapping: Mapping[str, Any]) -> str:
        return _FORMATTER.vformat(text, (), mapping)

    return format_map


def guarded_getattr(obj: Any, name: str, *default: Any) -> Any:
    """``getattr`` for restricted code (also the ``getattr`` builtin); AttributeError when refused."""
    if type(name) is not str:
        raise TypeError("attribute name must be a str")
    if name[:1] == "_":
        raise AttributeError(f"access to attribute {name!r} is not allowed")
    if type(obj) is ModuleProxy:
        return getattr(obj, name, *default)
    if name in DENIED_ATTRIBUTES or isinstance(obj, _MODULE):
        raise AttributeError(f"access to attribute {name!r} is not allowed")
    if name == "format" or name == "format_map":
        if type(obj) is not str:
            raise AttributeError(f"access to attribute {name!r} is only allowed on str instances")
        return _bound_format(obj) if name == "format" else _bound_format_map(obj)
    value = getattr(obj, name, *default)
    if isinstance(value, _MODULE):
        raise AttributeError(f"access to attribute {name!r} is not allowed (it is a module)")
    return value


def _guarded_hasattr(obj: Any, name: str) -> bool:
    try:
        guarded_getattr(obj, name)
    except AttributeError:
        return False
    return True


guarded_getitem = operator.getitem
guarded_iter = iter


class _ReadOnly:
    """What ``_write_`` returns for objects user code may not modify: every write raises TypeError."""

    __slots__ = ("_sbx_type",)

    def __init__(self, obj: Any) -> None:
        object.__setattr__(self, "_sbx_type", type(obj).__name__)

    def _refuse(self, *args: Any) -> None:
        raise TypeError(
            f"{object.__getattribute__(self, '_sbx_type')!r} objects are read-only in the sandbox"
        )

    __setattr__ = __delattr__ = __setitem__ = __delitem__ = _refuse


class _ItemsOnly:
    """What ``_write_`` returns for numpy arrays: item assignment allowed, attribute assignment refused."""

    __slots__ = ("_sbx_obj",)

    def __init__(self, obj: Any) -> None:
        object.__setattr__(self, "_sbx_obj", obj)

    def __setitem__(self, key: Any, value: Any) -> None:
        object.__getattribute__(self, "_sbx_obj")[key] = value

    def __delitem__(self, key: Any) -> None:
        del object.__getattribute__(self, "_sbx_obj")[key]

    def __setattr__(self, name: str, value: Any) -> None:
        raise TypeError("array attributes are read-only in the sandbox")

    __delattr__ = __setattr__  # type: ignore[assignment]


def _make_write_guard(array_type: type | None) -> Callable[[Any], Any]:
    def guarded_write(obj: Any) -> Any:
        kind = type(obj)
        if kind is dict or kind is list or kind in _user_classes:
            return obj
        if isinstance(obj, type) and obj in _user_classes:
            return obj
        if array_type is not None and kind is array_type:
            return _ItemsOnly(obj)
        return _ReadOnly(obj)

    return guarded_write


#: Names starting with ``_`` a user class namespace may hold: what RestrictedPython lets a class body ``def``
#: and what the compiler adds (``__static_attributes__``/``__firstlineno__`` from Python 3.13 on).
CLASS_DUNDERS = frozenset(ALLOWED_FUNC_NAMES) | frozenset(
    [
        "__module__",
        "__qualname__",
        "__doc__",
        "__classcell__",
        "__orig_bases__",
        "__static_attributes__",
        "__firstlineno__",
    ]
)
#: Builtin exception classes user classes may derive from (those user code can name, minus the removed ones).
_EXCEPTION_BASES = frozenset(
    value
    for name, value in safe_builtins.items()
    if isinstance(value, type) and issubclass(value, Exception) and name not in {"GeneratorExit"}
)


def _metaclass(name: str, bases: tuple[Any, ...], namespace: dict[str, Any], **keywords: Any) -> type:
    """Class factory for ``class`` statements in user code (RestrictedPython passes
    ``metaclass=__metaclass__``); the new class is a user class (attributes writable).

    Raises TypeError, before any class is built, for class keywords, a base other than ``object``, a builtin
    exception or a user class, and a namespace name starting with ``_`` outside :data:`CLASS_DUNDERS`.
    """
    if keywords:
        raise TypeError(f"class {name!r}: class keyword arguments are not allowed in the sandbox")
    if type(name) is not str or type(bases) is not tuple or type(namespace) is not dict:
        raise TypeError("classes can only be created by class statements in the sandbox")
    for base in bases:
        if not (base is object or base in _EXCEPTION_BASES or (type(base) is type and base in _user_classes)):
            raise TypeError(
                f"class {name!r}: base {base!r} is not allowed in the sandbox "
                "(only object, builtin exceptions and classes defined in the reward module)"
            )
    for key in namespace:
        if type(key) is not str or (key[:1] == "_" and key not in CLASS_DUNDERS):
            raise TypeError(f"class {name!r}: member {key!r} is not allowed in the sandbox")
    cls = type(name, bases, namespace)
    _user_classes.add(cls)
    return cls


class TypeToken:
    """What ``type(x)`` returns for a class user code may not hold: compares equal (and ``is``-identical, one token
    per class) to ``type(y)`` of another instance of the same class, hashes, and works as the second argument of
    ``isinstance``; it cannot be called, subclassed or inspected (no attributes) and is read-only.
    """

    __slots__ = ("_sbx_cls",)

    _sbx_cls: type

    def __init__(self, cls: type) -> None:
        object.__setattr__(self, "_sbx_cls", cls)

    def __eq__(self, other: object) -> bool:
        return other is self

    def __hash__(self) -> int:
        return hash(object.__getattribute__(self, "_sbx_cls"))

    def __repr__(self) -> str:
        return repr(object.__getattribute__(self, "_sbx_cls"))

    def __instancecheck__(self, obj: Any) -> bool:
        return isinstance(obj, object.__getattribute__(self, "_sbx_cls"))

    def __subclasscheck__(self, cls: Any) -> bool:
        if type(cls) is TypeToken:
            cls = object.__getattribute__(cls, "_sbx_cls")
        cls = real_class(cls)
        return isinstance(cls, type) and issubclass(cls, object.__getattribute__(self, "_sbx_cls"))

    def __getattr__(self, name: str) -> Any:
        raise AttributeError(f"type tokens have no attribute {name!r} in the sandbox")

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("type tokens are read-only")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("type tokens are read-only")


_tokens: weakref.WeakKeyDictionary[type, TypeToken] = weakref.WeakKeyDictionary()

#: Classes ``type(x)`` returns as themselves whatever the allowlist: literals' types and numpy's numeric,
#: string and date scalars (looked up when numpy is loaded). Never a metaclass.
_PLAIN_TYPES = (bool, int, float, complex, str, bytes, list, tuple, dict, set, frozenset, range, slice)
_NUMPY_SCALAR_KINDS = "biufcSUmM"


def _token(cls: type) -> TypeToken:
    token = _tokens.get(cls)
    if token is None:
        token = _tokens.setdefault(cls, TypeToken(cls))
    return token


def _shown_classes(builtins_table: Mapping[str, Any], proxies: Mapping[str, ModuleProxy]) -> dict[type, Any]:
    """real class -> what ``type()`` shows for it: every class user code can already name (builtins, module
    proxy members; a :class:`ClassStandIn` for its class), :data:`_PLAIN_TYPES`, numpy scalar types. Metaclasses
    are left out whatever their source."""
    shown: dict[type, Any] = {cls: cls for cls in _PLAIN_TYPES}
    shown[type(None)] = type(None)
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        for cls in set(numpy.sctypeDict.values()):
            if numpy.dtype(cls).kind in _NUMPY_SCALAR_KINDS:
                shown[cls] = cls
    members: list[Any] = list(builtins_table.values())
    for proxy in proxies.values():
        members.extend(object.__getattribute__(proxy, "_sbx_members").values())
    for value in members:
        if type(value) is ClassStandIn:
            shown[real_class(value)] = value
        elif isinstance(value, type):
            shown.setdefault(value, value)
    for cls in [cls for cls in shown if issubclass(cls, type)]:
        del shown[cls]
    return shown


def _make_type(shown: Mapping[type, Any]) -> Callable[[Any], Any]:
    def type_(obj: Any, /) -> Any:
        """One-argument ``type()``: the class when :func:`_shown_classes` lists it or user code defined it, an
        opaque :class:`TypeToken` otherwise (creating classes dynamically is not allowed)."""
        cls = type(obj)
        visible = shown.get(cls)
        if visible is not None:
            return visible
        if cls in _user_classes:
            return cls
        return _token(cls)

    type_.__name__ = type_.__qualname__ = "type"
    return type_


_INPLACE: dict[str, Callable[[Any, Any], Any]] = {
    "+=": operator.iadd,
    "-=": operator.isub,
    "*=": operator.imul,
    "/=": operator.itruediv,
    "//=": operator.ifloordiv,
    "%=": operator.imod,
    "**=": operator.ipow,
    "<<=": operator.ilshift,
    ">>=": operator.irshift,
    "|=": operator.ior,
    "^=": operator.ixor,
    "&=": operator.iand,
    "@=": operator.imatmul,
}


def _inplacevar(op: str, target: Any, value: Any) -> Any:
    return _INPLACE[op](target, value)


def _apply(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    return func(*args, **kwargs)


class PrintSink:
    """Bounded stand-in for RestrictedPython's print collector: keeps at most ``limit`` characters, drops the rest.

    One sink is shared by the whole module (``_print_`` returns it); ``printed`` returns the kept text.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.parts: list[str] = []
        self.size = 0

    def __call__(self, _getattr: Any = None) -> PrintSink:
        return self

    def write(self, text: str) -> None:
        room = self.limit - self.size
        if room > 0:
            chunk = str(text)[:room]
            self.parts.append(chunk)
            self.size += len(chunk)

    def _call_print(self, *objects: Any, **kwargs: Any) -> None:
        kwargs["file"] = self
        kwargs.pop("flush", None)
        print(*objects, **kwargs)

    def text(self) -> str:
        return "".join(self.parts)


def _iterables(items: Iterable[Any]) -> list[Iterator[Any]]:
    return [guarded_iter(item) for item in items]


def _safe_min(*args: Any, **kwargs: Any) -> Any:
    return min(guarded_iter(args[0]), **kwargs) if len(args) == 1 else min(*args, **kwargs)


def _safe_max(*args: Any, **kwargs: Any) -> Any:
    return max(guarded_iter(args[0]), **kwargs) if len(args) == 1 else max(*args, **kwargs)


def _safe_sum(iterable: Iterable[Any], start: Any = 0) -> Any:
    return sum(guarded_iter(iterable), start)


def _safe_zip(*iterables: Iterable[Any], strict: bool = False) -> Iterator[tuple[Any, ...]]:
    return zip(*_iterables(iterables), strict=strict)


def _safe_map(func: Callable[..., Any], *iterables: Iterable[Any]) -> Iterator[Any]:
    return map(func, *_iterables(iterables))


def _safe_filter(func: Callable[[Any], Any] | None, iterable: Iterable[Any]) -> Iterator[Any]:
    return filter(func, guarded_iter(iterable))


def _safe_enumerate(iterable: Iterable[Any], start: int = 0) -> Iterator[tuple[int, Any]]:
    return enumerate(guarded_iter(iterable), start)


def _safe_sorted(iterable: Iterable[Any], *, key: Any = None, reverse: bool = False) -> list[Any]:
    return sorted(guarded_iter(iterable), key=key, reverse=reverse)


def _safe_reversed(seq: Any) -> Iterator[Any]:
    return reversed(seq if isinstance(seq, list | tuple | range | str) else list(guarded_iter(seq)))


def _container(kind: type) -> ClassStandIn:
    """The ``list``/``tuple``/``dict``/``set``/``frozenset`` builtin: builds through ``_getiter_``, and stands in
    for the real class in ``isinstance``, ``==`` and ``type(x) is list``."""

    def build(iterable: Iterable[Any] = (), **kwargs: Any) -> Any:
        if kind is dict:
            if isinstance(iterable, Mapping):
                return dict(iterable, **kwargs)
            return dict(guarded_iter(iterable), **kwargs)
        return kind(guarded_iter(iterable))

    build.__name__ = kind.__name__
    return ClassStandIn(kind, build)


def _safe_iter(obj: Any) -> Iterator[Any]:
    return guarded_iter(obj)


_REMOVED = {
    "setattr",
    "delattr",
    "SystemExit",
    "KeyboardInterrupt",
    "BaseException",
    "GeneratorExit",
    "_getattr_",
}


def _builtins(proxies: Mapping[str, ModuleProxy]) -> dict[str, Any]:
    table = {name: value for name, value in safe_builtins.items() if name not in _REMOVED}
    table.update(
        {
            "min": _safe_min,
            "max": _safe_max,
            "sum": _safe_sum,
            "zip": _safe_zip,
            "map": _safe_map,
            "filter": _safe_filter,
            "enumerate": _safe_enumerate,
            "sorted": _safe_sorted,
            "reversed": _safe_reversed,
            "tuple": _container(tuple),
            "list": _container(list),
            "set": _container(set),
            "frozenset": _container(frozenset),
            "dict": _container(dict),
            "any": lambda iterable: any(guarded_iter(iterable)),
            "all": lambda iterable: all(guarded_iter(iterable)),
            "iter": _safe_iter,
            "next": next,
            "getattr": guarded_getattr,
            "hasattr": _guarded_hasattr,
            "object": object,
            "super": super,
            "property": property,
            "staticmethod": staticmethod,
            "classmethod": classmethod,
            "format": format,
            "NotImplemented": NotImplemented,
            "__build_class__": builtins.__build_class__,
            "__import__": make_import(proxies),
        }
    )
    return table


def restricted_globals(
    proxies: Mapping[str, ModuleProxy],
    print_limit: int,
    module_name: str = "reward_function",
    array_type: type | None = None,
) -> tuple[dict[str, Any], PrintSink]:
    """Fresh globals for one restricted module and its print sink.

    :param proxies: allowlisted module proxies (from :func:`sandbox.modules.build_proxies`).
    :param print_limit: characters of ``print`` output kept.
    :param module_name: value of ``__name__`` (class ``__module__``).
    :param array_type: ``numpy.ndarray`` when numpy is loaded, enabling item writes on arrays.
    """
    sink = PrintSink(print_limit)
    builtins_table = _builtins(proxies)
    builtins_table["type"] = _make_type(_shown_classes(builtins_table, proxies))
    table: dict[str, Any] = {
        "__builtins__": builtins_table,
        "__name__": module_name,
        "__metaclass__": _metaclass,
        "_getattr_": guarded_getattr,
        "_getitem_": guarded_getitem,
        "_getiter_": guarded_iter,
        "_write_": _make_write_guard(array_type),
        "_inplacevar_": _inplacevar,
        "_apply_": _apply,
        "_print_": sink,
        "_unpack_sequence_": guarded_unpack_sequence,
        "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
    }
    return table, sink
