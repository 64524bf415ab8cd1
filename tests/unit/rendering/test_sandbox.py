"""Templates are untrusted code: escapes are refused, runaways are stopped, and neither hangs nor eats memory."""

from __future__ import annotations

import math
import time
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from okaeri.errors import TemplateError
from okaeri.models import Template
from okaeri.rendering import check_template, render_template
from okaeri.rendering import render as render_module
from okaeri.rendering.sandbox import (
    MAX_LOOP_ITERATIONS,
    MAX_SECONDS,
    MAX_VALUE_CHARS,
    MAX_WORK_CHARS,
    Budget,
    Clock,
    budget,
)
from tests.unit.rendering.support import MakeContext

ESCAPES = [
    "{{ ''.__class__.__mro__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ cycler.__init__.__globals__ }}",
    "{{ namespace.__init__.__globals__.os }}",
    "{{ self._TemplateReference__context }}",
    "{{ self.__dict__ }}",
    "{{ coupon.__globals__ }}",
    "{{ range.__self__ }}",
    "{{ order['__class__'] }}",
    "{{ customer.name.__class__.__base__ }}",
    "{{ '{0.__class__}'.format(order) }}",
    "{{ '{0.__init__.__globals__}'.format_map({'0': order}) }}",
    "{{ '%s %s' % (order, customer) }}",
    "{{ (1).to_bytes(10, 'big') }}",
    "{{ order.items.__getitem__(0) }}",
    "{{ {}.pop }}",
    "{{ [].append(1) }}",
    "{% set x = {} %}{{ x.update(a=1) }}",
    "{{ loop.__class__ }}",
    "{% for i in range(1) %}{{ loop._iterator }}{% endfor %}",
    "{% include 'other.txt' %}",
    "{% import 'macros.txt' as m %}",
    "{% extends 'base.txt' %}",
]


@pytest.mark.parametrize("source", ESCAPES)
def test_escaping_the_sandbox_is_refused(make_context: MakeContext, source: str) -> None:
    with pytest.raises(TemplateError) as caught:
        render_template(Template(id="t", subject="s", text=source), make_context())
    assert caught.value.code in {"sandbox", "unknown_tag"}


@pytest.mark.parametrize(
    ("source", "named"),
    [
        ("{{ order.__dict__ }}", "order.__dict__"),
        ("{{ customer._fields }}", "customer._fields"),
        ("{{ order|attr('__dict__') }}", "attr"),
        ("{{ '%s'|format(order) }}", "format"),
        ("{{ order|pprint }}", "pprint"),
        ("{{ order|tojson }}", "tojson"),
        ("{{ lipsum(10) }}", "lipsum"),
    ],
)
def test_internals_are_not_even_names(make_context: MakeContext, source: str, named: str) -> None:
    with pytest.raises(TemplateError) as caught:
        render_template(Template(id="t", subject="s", text=source), make_context())
    assert caught.value.code == "unknown_tag"
    assert named in caught.value.message_en


def test_the_sandbox_names_what_was_refused(make_context: MakeContext) -> None:
    with pytest.raises(TemplateError) as caught:
        render_template(Template(id="t", subject="s", text="{{ ''.__class__ }}"), make_context())
    assert caught.value.code == "sandbox"
    assert "__class__" in caught.value.message_en
    assert "テンプレートでは使えない操作です" in caught.value.message_ja


RUNAWAYS = [
    ("{% for i in range(10**9) %}x{% endfor %}", "too_large"),
    ("{{ range(10**100)|list }}", "too_large"),
    ("{% for i in range(10000) %}{% for j in range(10000) %}.{% endfor %}{% endfor %}", "too_slow"),
    ("{% for i in range(5000) %}{% for j in order.items %}{% for k in range(5) %}{% endfor %}{% endfor %}{% endfor %}",
     "too_slow"),
    ("{{ 'x' * 10**9 }}", "too_large"),
    ("{{ [0] * 10**9 }}", "too_large"),
    ("{{ 10**9 * 'x' }}", "too_large"),
    ("{{ 2 ** 100000 }}", "too_large"),
    ("{{ (10**1000) * (10**1000) }}", "too_large"),
    ("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "too_large"),
    ("{% macro f(n) %}{{ f(n) ~ f(n) }}{% endmacro %}{{ f(1) }}", "too_large"),
    ("{% for x in order.items recursive %}{{ loop(order.items) }}{% endfor %}", "too_large"),
    ("{% set ns = namespace(s='x') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}", "too_large"),
    ("{% set ns = namespace(s='x') %}{% for i in range(64) %}{% set ns.s = ns.s + ns.s %}{% endfor %}", "too_large"),
    ("{% set ns = namespace(l=[1]) %}{% for i in range(64) %}{% set ns.l = [ns.l, ns.l] %}{% endfor %}", "too_large"),
    ("{% set ns = namespace(l=[1]) %}{% for i in range(64) %}{% set ns.l = ns.l + ns.l %}{% endfor %}", "too_large"),
    ("{{ 'x'|center(1000000000) }}", "too_large"),
    ("{{ 'x'|indent(1000000000) }}", "too_large"),
    ("{{ ('x' * 100000)|replace('', 'yyyyy') }}", "too_large"),
    ("{{ ('x y ' * 30000)|wordwrap(1, wrapstring='z' * 1000) }}", "too_large"),
    ("{{ [1]|batch(1000000000, 'x')|list }}", "too_large"),
    ("{{ [1]|slice(1000000000)|list }}", "too_large"),
    ("{{ (['x' * 100000] * 3)|join }}", "too_large"),
    ("{% set s = 'x' * 100000 %}{{ range(10000)|map('string')|map('replace', '0', s)|join }}", "too_large"),
    ("{{ range(10000)|join('x' * 100) }}", "too_large"),
    ("{{ [[1]]|sum(start=[]) }}", "sandbox"),
    ("{% set x %}{% for i in range(10000) %}" + "y" * 50_000 + "{% endfor %}{% endset %}", "too_large"),
    ("{% macro m() %}" + "y" * 50_000 + "{{ caller() }}{% endmacro %}{% set x %}{% for i in range(999) %}"
     "{% call m() %}z{% endcall %}{% endfor %}{% endset %}", "too_large"),
    ("{% for i in range(300) %}" + "y" * 1_000 + "{% endfor %}", "too_large"),
    ("{{ " + "(" * 10_000 + "1" + ")" * 10_000 + " }}", "too_large"),
]  # fmt: skip


def frozen() -> float:
    """A clock that never moves: only the work limits can stop a template."""
    return 0.0


def recorded_budgets(monkeypatch: pytest.MonkeyPatch) -> list[Budget]:
    """From now on, the budget of every part rendered, as it stands when the part ends or is stopped."""
    budgets: list[Budget] = []

    @contextmanager
    def recorded(deadline: float, clock: Clock) -> Iterator[Budget]:
        with budget(deadline, clock) as current:
            budgets.append(current)
            yield current

    monkeypatch.setattr(render_module, "budget", recorded)
    return budgets


@pytest.mark.parametrize(("source", "code"), RUNAWAYS)
def test_runaway_templates_are_stopped_by_their_work_and_small(
    make_context: MakeContext, monkeypatch: pytest.MonkeyPatch, source: str, code: str
) -> None:
    # bounded, not timed: with a clock that never moves, only the limits on work can stop a
    # template, and the work done before the refusal is within them (the memory too)
    budgets = recorded_budgets(monkeypatch)
    tracemalloc.start()
    try:
        with pytest.raises(TemplateError) as caught:
            render_template(Template(id="t", subject="s", text=source), make_context(), clock=frozen)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert caught.value.code == code, caught.value.message_en
    assert sum(spent.iterations for spent in budgets) <= MAX_LOOP_ITERATIONS + 1
    assert sum(spent.work for spent in budgets) <= MAX_WORK_CHARS + MAX_VALUE_CHARS
    assert peak < 30_000_000


def test_nesting_hidden_in_namespaces_prints_as_labels(make_context: MakeContext) -> None:
    # each level doubles what a repr() of the contents would print: 2**64 namespaces
    source = (
        "{% set ns = namespace(a=1) %}{% for i in range(64) %}{% set ns.a = namespace(v=[ns.a, ns.a]) %}"
        "{% endfor %}{{ ns.a }} {{ ns.a.v }} {{ [ns.a.v, ns.a.v]|string }}"
    )
    text = render_template(Template(id="t", subject="s", text=source), make_context()).text
    assert (
        text
        == "<namespace> [<namespace>, <namespace>] [[<namespace>, <namespace>], [<namespace>, <namespace>]]"
    )


class Ticking:
    """A clock read at every check of the budget: its reading number ``passes`` is past any deadline."""

    def __init__(self, passes: int) -> None:
        self.passes = passes
        self.readings = 0

    def __call__(self) -> float:
        self.readings += 1
        return 0.0 if self.readings < self.passes else math.inf


def test_the_clock_stops_a_slow_template_at_the_first_check_past_its_deadline(
    make_context: MakeContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    # within every limit on work (9,000 iterations printing a number), as slow as the clock says
    budgets = recorded_budgets(monkeypatch)
    clock = Ticking(passes=100)
    slow = "{% for i in range(9000) %}{{ i }}{% endfor %}"
    with pytest.raises(TemplateError) as caught:
        render_template(Template(id="t", subject="s", text=slow), make_context(), clock=clock)
    assert caught.value.code == "too_slow"
    assert "処理時間" in caught.value.message_ja
    assert clock.readings == clock.passes  # stopped at the first reading past the deadline
    assert budgets[-1].iterations < clock.passes  # the clock is read at every iteration


def test_time_the_thread_spends_waiting_is_not_charged_to_the_template(
    make_context: MakeContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a busy machine (or a throttled Lambda) keeps the rendering thread waiting: wall time passes,
    # the template does no work. With the budget lowered to 0.1 s and each part kept waiting 0.15 s
    # before it renders, the default clock (the thread's CPU time) still lets the mail render.
    monkeypatch.setattr(render_module, "MAX_SECONDS", 0.1)

    @contextmanager
    def descheduled(deadline: float, clock: Clock) -> Iterator[Budget]:
        with budget(deadline, clock) as current:
            time.sleep(0.15)
            yield current

    monkeypatch.setattr(render_module, "budget", descheduled)
    source = "{% for i in range(3) %}{{ i }}{% endfor %}"
    assert render_template(Template(id="t", subject="s", text=source), make_context()).text.startswith("012")


def test_the_output_of_a_part_is_capped(make_context: MakeContext) -> None:
    source = "{% for i in range(100) %}{{ 'x' * 9000 }}{% endfor %}"
    with pytest.raises(TemplateError) as caught:
        render_template(Template(id="t", subject="s", text=source), make_context())
    assert caught.value.code == "too_large"


def test_ordinary_template_code_still_works(make_context: MakeContext) -> None:
    source = (
        "{% set ns = namespace(n=0) %}{% for item in order.items %}{% set ns.n = ns.n + item.quantity %}{% endfor %}"
        "{{ ns.n }}|{{ order.items|map(attribute='sku')|join(',') }}|{{ customer.name|default('お客') }}"
        "|{{ shop.name ~ '様' }}|{{ 'ABC'.lower() }}|{{ range(3)|list }}|{{ [1, 2] + [3] }}|{{ 'ab' * 2 }}"
        "|{{ 2 ** 10 }}|{{ 7 % 3 }}|{% macro tag(t) %}<{{ t }}>{% endmacro %}{{ tag('x') }}"
        "|{{ {'a': 1}.get('a') }}|{{ order.items|selectattr('quantity', 'gt', 1)|map(attribute='name')|first }}"
        "|{{ customer.name if customer.order_count > 1 else 'はじめての方' }}|{{ '%d' if false else 'ok' }}"
        "|{% for k in range(2) %}{{ loop.index }}{{ loop.cycle('a', 'b') }}{% endfor %}"
        "|{{ 'みかん'|center(9) }}|{{ order.total|yen }}"
    )
    text = render_template(Template(id="t", subject="s", text=source), make_context()).text
    assert text == (
        "3|mikan-s-5kg,iyokan-3kg|伊予 柑子|みかん山房様|abc|[0, 1, 2]|[1, 2, 3]|abab|1024|1|<x>|1"
        "|伊予柑 3kg <訳あり>|はじめての方|ok|1a2b|   みかん   |7,800円"
    )


def test_check_template_refuses_what_rendering_refuses() -> None:
    with pytest.raises(TemplateError) as caught:
        check_template(Template(id="t", subject="s", text="{% include 'x' %}"))
    assert caught.value.code == "sandbox"


class SlowStore:
    """A coupon store whose every lookup moves ``clock`` past any template's budget."""

    def __init__(self, clock: list[float]) -> None:
        self.clock = clock

    def code_for(self, pool: str, delivery_id: str) -> str:
        self.clock[0] += 10 * MAX_SECONDS
        return f"CODE-{pool}"


def test_the_coupon_stores_time_is_not_the_templates(make_context: MakeContext) -> None:
    # in-process moto (or botocore building its client) runs on the rendering thread's CPU time:
    # the lookup is the host's work, so a template that fetches codes is not stopped for it
    now = [0.0]
    source = "{{ coupon('THANKS10') }}{% for i in range(50) %}{{ i }}{% endfor %}"
    template = Template(id="t", subject="{{ coupon('SUBJECT') }}", text=source)
    mail = render_template(template, make_context(coupons=SlowStore(now)), clock=lambda: now[0])
    assert mail.subject == "CODE-SUBJECT"
    assert mail.text.startswith("CODE-THANKS10012")
    assert now[0] == 20 * MAX_SECONDS


def test_a_slow_loop_after_a_coupon_is_still_stopped(make_context: MakeContext) -> None:
    now = [0.0]

    def clock() -> float:
        now[0] += 0.01  # every check of the budget: 10 ms of the template's own work
        return now[0]

    source = "{{ coupon('THANKS10') }}{% for i in range(9000) %}{{ i }}{% endfor %}"
    with pytest.raises(TemplateError) as caught:
        render_template(
            Template(id="t", subject="s", text=source), make_context(coupons=SlowStore(now)), clock=clock
        )
    assert caught.value.code == "too_slow"
