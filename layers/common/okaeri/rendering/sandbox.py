"""The sandbox templates run in: what they may touch, and how much work they may do.

Shop staff write templates, so a template is untrusted code. On top of Jinja's
``ImmutableSandboxedEnvironment`` this module

- lets a template read only the fields of the views (:mod:`okaeri.rendering.views`) and a short
  list of ``str``/``dict``/``list`` methods that cannot grow a value (no ``format``, ``center``,
  ``join``, ``replace``…); everything starting with ``_`` stays out of reach;
- keeps the filters a mail needs, each behind a guard that bounds its input and, for the filters
  that can grow a string (``center``, ``indent``, ``replace``, ``wordwrap``, ``join``, ``batch``,
  ``slice``), its output before it is computed;
- intercepts ``*``, ``**``, ``+`` and ``%`` so ``'x' * 10**9`` or ``2 ** 10**6`` is refused first;
- counts, per rendered part, loop iterations, text produced (printed values and the literal text of
  bodies that repeat), call depth and time against a :class:`Budget`. The time is the rendering
  thread's own CPU time (``time.thread_time``), not the wall clock: a template is stopped for the
  work it does, never because the machine (or a throttled Lambda) was busy with something else.

The budget lives in a ``ContextVar``, so one environment per autoescape mode is built once and
shared. Every refusal is a :class:`~okaeri.errors.TemplateError` with code ``sandbox``,
``too_large`` or ``too_slow``; nothing here uses threads or signals.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Final

from jinja2 import StrictUndefined, pass_context
from jinja2.filters import FILTERS
from jinja2.runtime import Context, LoopContext
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.utils import Cycler, Joiner, Namespace, missing

from okaeri.errors import TemplateError
from okaeri.rendering.views import View, view_fields

MAX_PART_CHARS: Final = 200_000
"""Characters one rendered part (subject, text, html) may have."""
MAX_VALUE_CHARS: Final = 200_000
"""Characters any single value may print as."""
MAX_ITEMS: Final = 10_000
"""Elements a list, tuple, dict or ``range()`` may hold (nested elements included)."""
MAX_LOOP_ITERATIONS: Final = 10_000
"""Loop iterations per part, nested loops included."""
MAX_WORK_CHARS: Final = 2_000_000
"""Characters a part may produce in all, including text captured by ``set`` blocks and macros."""
MAX_CALL_DEPTH: Final = 40
"""Nested calls (macros calling macros, recursive loops)."""
MAX_SECONDS: Final = 2.0
"""CPU time of the rendering thread for one mail (all its parts)."""
MAX_INT_BITS: Final = 4_096
"""Size of an integer a multiplication or power may produce."""

LOOP_GUARD: Final = "_okaeri_loop"
CHARGE: Final = "_okaeri_charge"
CHECKED: Final = "_okaeri_checked"

_SCALAR_CHARS = 24  # what a number, a date or a view is assumed to print as
_CONTAINERS = (list, tuple, set, frozenset, dict)


def _too_large(what_ja: str, what_en: str) -> TemplateError:
    return TemplateError(
        f"{what_ja}が上限を超えました（大きすぎるテンプレート）",
        f"{what_en} is over the limit",
        code="too_large",
    )


def _too_slow(what_ja: str, what_en: str) -> TemplateError:
    return TemplateError(
        f"{what_ja}が上限を超えました（処理が多すぎるテンプレート）",
        f"{what_en} is over the limit",
        code="too_slow",
    )


def sandbox_error(what_ja: str, what_en: str) -> TemplateError:
    return TemplateError(
        f"テンプレートでは使えない操作です: {what_ja}",
        f"not allowed in a template: {what_en}",
        code="sandbox",
    )


Clock = Callable[[], float]
"""Seconds from some fixed point: ``CLOCK`` (a test gives a clock of its own)."""

CLOCK: Final[Clock] = time.thread_time
"""The rendering thread's CPU time: the work a template did, whatever else the machine was doing
(the wall clock would charge a template for the time its thread waited to run)."""


@dataclass(slots=True)
class Budget:
    """The work one part may still do; ``deadline`` is a reading of ``clock``."""

    deadline: float
    clock: Clock = CLOCK
    iterations: int = 0
    work: int = 0
    depth: int = 0
    #: clock time spent in the host's work (a coupon code from the store), not the template's
    excluded: float = 0.0

    def check_time(self) -> None:
        if self.clock() - self.excluded > self.deadline:
            raise _too_slow(f"処理時間（{MAX_SECONDS:g} 秒）", f"rendering time ({MAX_SECONDS:g} s)")

    def iterate(self) -> None:
        self.iterations += 1
        if self.iterations > MAX_LOOP_ITERATIONS:
            raise _too_slow(
                f"ループの繰り返し回数（{MAX_LOOP_ITERATIONS:,} 回）",
                f"loop iterations ({MAX_LOOP_ITERATIONS:,})",
            )
        self.check_time()

    def spend(self, chars: int) -> None:
        self.work += chars
        if self.work > MAX_WORK_CHARS:
            raise _too_large(
                f"生成する文字数（{MAX_WORK_CHARS:,} 字）", f"text produced ({MAX_WORK_CHARS:,} chars)"
            )

    def enter_call(self) -> None:
        self.depth += 1
        if self.depth > MAX_CALL_DEPTH:
            raise _too_large(
                f"呼び出し・再帰の深さ（{MAX_CALL_DEPTH} 段）", f"call or recursion depth ({MAX_CALL_DEPTH})"
            )
        self.check_time()


_BUDGET: ContextVar[Budget | None] = ContextVar("okaeri_template_budget", default=None)


@contextmanager
def budget(deadline: float, clock: Clock = CLOCK) -> Iterator[Budget]:
    """Run the enclosed rendering against a fresh budget that ends when ``clock`` passes ``deadline``."""
    current = Budget(deadline, clock)
    token = _BUDGET.set(current)
    try:
        yield current
    finally:
        _BUDGET.reset(token)


@contextmanager
def outside_budget() -> Iterator[None]:
    """The enclosed work is the host's, not the template's: a coupon code fetched from the store
    (in-process moto, or botocore building its client, is CPU time of this thread) is not charged."""
    current = _BUDGET.get()
    if current is None:
        yield
        return
    start = current.clock()
    try:
        yield
    finally:
        current.excluded += current.clock() - start


def _value_too_large() -> TemplateError:
    return _too_large(f"値の大きさ（{MAX_VALUE_CHARS:,} 字）", f"value size ({MAX_VALUE_CHARS:,} chars)")


def _too_many_items() -> TemplateError:
    return _too_large(f"リストの要素数（{MAX_ITEMS:,} 個）", f"number of elements ({MAX_ITEMS:,})")


def measure(value: Any) -> int:
    """About how many characters ``str(value)`` has, without building it.

    Walks nested containers with a budget, so a list that holds itself twice at every level
    (exponentially long when printed) is refused after ``MAX_ITEMS`` steps instead of being printed.
    """
    if isinstance(value, str):
        if len(value) > MAX_VALUE_CHARS:
            raise _value_too_large()
        return len(value)
    if not isinstance(value, _CONTAINERS):
        return _SCALAR_CHARS
    size = items = 0
    stack: list[Any] = [value]
    while stack:
        current = stack.pop()
        if isinstance(current, str):
            size += len(current) + 2
        elif isinstance(current, _CONTAINERS):
            items += len(current)
            if items > MAX_ITEMS:
                raise _too_many_items()
            size += 2 + 2 * len(current)
            stack.extend(current)
            if isinstance(current, dict):
                stack.extend(current.values())
        else:
            size += _SCALAR_CHARS
        if size > MAX_VALUE_CHARS:
            raise _value_too_large()
    return size


def _bounded_list(iterable: Iterator[Any]) -> list[Any]:
    """Materialise a lazy iterable (``map``, ``select``…) item by item, within the limits."""
    result: list[Any] = []
    size = 0
    for item in iterable:
        result.append(item)
        size += measure(item)
        if len(result) > MAX_ITEMS:
            raise _too_many_items()
        if size > MAX_VALUE_CHARS:
            raise _value_too_large()
    return result


def _bounded(value: Any) -> Any:
    if isinstance(value, Iterator):
        return _bounded_list(value)
    measure(value)
    return value


def _counted(iterable: Iterable[Any], current: Budget) -> Iterator[Any]:
    for item in iterable:
        current.iterate()
        yield item


# -- internal filters the compiler wraps around loops, repeated bodies, concatenations and literals.
# They take the context so Jinja never runs them at compile time (constant folding).


@pass_context
def _loop_guard(context: Context, iterable: Iterable[Any]) -> Iterable[Any]:
    current = _BUDGET.get()
    return iterable if current is None else _counted(iterable, current)


@pass_context
def _charge(context: Context, value: str, chars: int) -> str:
    current = _BUDGET.get()
    if current is not None:
        current.spend(chars)
        current.check_time()
    return value


@pass_context
def _checked(context: Context, value: Any) -> Any:
    measure(value)
    return value


def finalize(value: Any) -> Any:
    """Every printed value passes here: ``None`` prints as nothing, and its size is counted."""
    if value is None:
        return ""
    size = measure(value)
    current = _BUDGET.get()
    if current is not None:
        current.spend(size)
    return value


def bounded_range(*args: int) -> range:
    """``range()`` for templates, at most ``MAX_ITEMS`` long."""
    numbers = range(*args)
    try:
        length = len(numbers)
    except OverflowError:
        length = MAX_ITEMS + 1
    if length > MAX_ITEMS:
        raise _too_large(f"range() の長さ（{MAX_ITEMS:,}）", f"range() length ({MAX_ITEMS:,})")
    return numbers


def yen(value: int | float | None) -> str:
    """``{{ item.unit_price|yen }}`` → ``3,240円`` (nothing for an unknown price)."""
    return "" if value is None else f"{round(value):,}円"


# -- filters: the ones a mail needs; each checks its input, and the growing ones their output.


def _chars_at_most(chars: int) -> None:
    if chars > MAX_VALUE_CHARS:
        raise _value_too_large()


def _items_at_most(count: int) -> None:
    if count > MAX_ITEMS:
        raise _too_many_items()


# Each check takes the filter's own arguments (after the context Jinja passes) and refuses a result
# that would be too big before the filter builds it.


def _center(value: Any, width: int = 80) -> None:
    _chars_at_most(max(len(str(value)), int(width)))


def _indent(s: Any, width: int | str = 4, first: bool = False, blank: bool = False) -> None:
    text = str(s)
    prefix = len(width) if isinstance(width, str) else int(width)
    _chars_at_most(len(text) + (text.count("\n") + 1) * prefix)


def _replace(s: Any, old: Any, new: Any, count: int | None = None) -> None:
    text, old, new = str(s), str(old), str(new)
    hits = text.count(old) if old else len(text) + 1
    _chars_at_most(len(text) + hits * max(0, len(new) - len(old)))


def _wordwrap(
    s: Any,
    width: int = 79,
    break_long_words: bool = True,
    wrapstring: str | None = None,
    break_on_hyphens: bool = True,
) -> None:
    text = str(s)
    breaks = len(text) // max(1, int(width)) + text.count("\n") + 1
    _chars_at_most(len(text) + breaks * len(str(wrapstring or "\n")))


def _join(value: Any, d: Any = "", attribute: Any = None) -> None:
    count = len(value) if hasattr(value, "__len__") else 0
    _chars_at_most(measure(value) + count * len(str(d)))


def _batch(value: Any, linecount: int, fill_with: Any = None) -> None:
    _items_at_most(int(linecount))


def _slice(value: Any, slices: int, fill_with: Any = None) -> None:
    _items_at_most(int(slices))


def _sum(iterable: Any, attribute: Any = None, start: Any = 0) -> None:
    if not isinstance(start, int | float):
        raise sandbox_error("sum の start に数値以外", "sum() with a start that is not a number")


_GROWTH: Final[dict[str, Callable[..., None]]] = {
    "center": _center,
    "indent": _indent,
    "replace": _replace,
    "wordwrap": _wordwrap,
    "join": _join,
    "batch": _batch,
    "slice": _slice,
    "sum": _sum,
}

_PLAIN_FILTERS = (
    "abs", "capitalize", "count", "d", "default", "dictsort", "e", "escape", "filesizeformat", "first", "float",
    "forceescape", "groupby", "int", "items", "last", "length", "list", "lower", "map", "max", "min", "reject",
    "rejectattr", "reverse", "round", "safe", "select", "selectattr", "sort", "string", "striptags", "title",
    "trim", "truncate", "unique", "upper", "urlencode", "urlize", "wordcount",
)  # fmt: skip
USER_FILTERS: Final = frozenset({*_GROWTH, *_PLAIN_FILTERS, "yen"})
"""Filters a template may use (``format``, ``attr``, ``pprint``, ``tojson``, ``xmlattr``,
``random`` are left out: a mail does not need them and some can reach internals or blow up)."""


def _guard_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    skip = 1 if hasattr(func, "jinja_pass_arg") else 0  # the context / eval context / environment
    growth = _GROWTH.get(name)

    @functools.wraps(func)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        args = (*args[:skip], *(_bounded(arg) for arg in args[skip:]))
        kwargs = {key: _bounded(arg) for key, arg in kwargs.items()}
        if growth is not None:
            growth(*args[skip:], **kwargs)
        result = func(*args, **kwargs)
        measure(result)
        return result

    return guarded


class TemplateNamespace(Namespace):
    """``namespace()`` for templates; it prints as a label, since what it holds could nest without end."""

    def __repr__(self) -> str:
        return "<namespace>"


class MissingTag(StrictUndefined):
    """An unknown variable or attribute: an error as soon as it is used, naming ``customer.nam``."""

    __slots__ = ()

    @property
    def _undefined_message(self) -> str:
        if self._undefined_hint:
            return self._undefined_hint
        owner, name = self._undefined_obj, self._undefined_name
        if owner is missing:
            return str(name)
        label = owner.LABEL if isinstance(owner, View) else type(owner).__name__
        return f"{label}.{name}" if isinstance(name, str) else f"{label}[{name!r}]"


_STR_METHODS = frozenset(
    {"capitalize", "count", "endswith", "find", "isalpha", "isdigit", "isnumeric", "isspace"}
    | {"lower", "lstrip", "rstrip", "split", "splitlines", "startswith", "strip", "title", "upper"}
)
_DICT_METHODS = frozenset({"get", "items", "keys", "values"})
_SEQUENCE_METHODS = frozenset({"count", "index"})
_METHODS: Final = (
    (str, _STR_METHODS),
    (dict, _DICT_METHODS),
    (list, _SEQUENCE_METHODS),
    (tuple, _SEQUENCE_METHODS),
)
_HELPERS = (LoopContext, Namespace, Cycler, Joiner)


class OkaeriSandbox(ImmutableSandboxedEnvironment):
    """The one environment kind templates compile in (``html`` switches autoescape on)."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self, *, html: bool) -> None:
        super().__init__(
            autoescape=html,
            undefined=MissingTag,
            finalize=finalize,
            keep_trailing_newline=True,
            auto_reload=False,
            cache_size=0,
        )
        sources = {**FILTERS, "yen": yen}
        self.filters = {name: _guard_filter(name, sources[name]) for name in USER_FILTERS}
        self.filters.update({LOOP_GUARD: _loop_guard, CHARGE: _charge, CHECKED: _checked})
        self.globals.clear()
        self.globals.update(range=bounded_range, namespace=TemplateNamespace, cycler=Cycler, joiner=Joiner)

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if attr.startswith("_"):
            return False
        if isinstance(obj, View):
            return attr in view_fields(type(obj))
        if isinstance(obj, _HELPERS):
            return super().is_safe_attribute(obj, attr, value)
        return any(isinstance(obj, kind) and attr in names for kind, names in _METHODS)

    def wrap_str_format(self, value: Any) -> None:
        # Jinja hands out a sandboxed str.format before asking is_safe_attribute; format is simply
        # not allowed here ('{:>999999999}'.format(1) is a memory bomb even in Jinja's sandbox).
        return None

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        _check_binop(operator, left, right)
        result = super().call_binop(context, operator, left, right)
        measure(result)
        return result

    def call(self, context: Context, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
        current = _BUDGET.get()
        if current is None:
            return super().call(context, obj, *args, **kwargs)
        if isinstance(obj, LoopContext) and args:  # loop(children) in a recursive for loop
            args = (_counted(args[0], current), *args[1:])
        try:
            current.enter_call()
            result = super().call(context, obj, *args, **kwargs)
        finally:
            current.depth -= 1
        measure(result)
        return result


def _check_binop(operator: str, left: Any, right: Any) -> None:
    """Refuse an operation whose result would be too big, before Python computes it."""
    if operator == "%" and isinstance(left, str):
        raise sandbox_error(
            "文字列の % 書式（フィルターを使ってください）", "%-formatting of strings (use filters)"
        )
    sequences = (str, list, tuple)
    if operator == "*":
        for sequence, times in ((left, right), (right, left)):
            if isinstance(sequence, sequences) and isinstance(times, int):
                _length_at_most(sequence, len(sequence) * max(times, 0))
        if isinstance(left, int) and isinstance(right, int):
            _int_bits_at_most(left.bit_length() + right.bit_length())
    elif (
        operator == "**" and isinstance(left, int) and isinstance(right, int) and right > 0 and abs(left) > 1
    ):
        _int_bits_at_most(right * left.bit_length())
    elif operator == "+" and isinstance(left, sequences) and isinstance(right, sequences):
        _length_at_most(left, len(left) + len(right))


def _length_at_most(sequence: str | list[Any] | tuple[Any, ...], length: int) -> None:
    if isinstance(sequence, str):
        _chars_at_most(length)
    else:
        _items_at_most(length)


def _int_bits_at_most(bits: int) -> None:
    if bits > MAX_INT_BITS:
        raise _too_large(f"整数の大きさ（{MAX_INT_BITS} ビット）", f"integer size ({MAX_INT_BITS} bits)")


@functools.cache
def environment(*, html: bool) -> OkaeriSandbox:
    """The shared environment for text parts (``html=False``) or HTML parts (autoescaped)."""
    return OkaeriSandbox(html=html)
