"""The demo shop's history: 120 days of a small tea shop's orders and mails before the stack's start.

``plan_history`` is a seeded simulation (``random.Random(seed)``, so the same seed gives the same
orders): buyers with fixed names and ``example.jp`` addresses order teas, totals in yen. The shop
imports the Rakuten RMS order CSV every morning at 08:00 (the orders placed since the day before);
a few orders are cancelled by Rakuten's cancellation notice, a mail, within the hour after.

A buyer may order again, and how likely and when follows what their order's run did to them, as
the product decides it: the plan of ``okaeri.planner.plan_order`` (which scenario, when each mail
goes), the scenario's holdout group and A/B variant (``okaeri.attribution``):

- a mailed buyer may react to one mail of the run by ordering again within days of it: the thanks
  (rarely), the brewing tips (gyokuro-care's own ``gyokuro`` wording more than the ``general``
  one), the coupon;
- a held-out buyer (gyokuro-care holds out 10% of its buyers) gets none of its mails and orders
  again less often, at any time in the weeks after.

The simulation only decides what the buyers do. Everything the shop's data holds is made by
``play_history`` through the stack's own paths, the clock moved forward to each event (each
wake-up fires at its own time on the way): the CSV through the admin API's import route
(``okaeri.services.imports`` → ``ingest.apply_order``), the notices through SES inbound and the
ingest function, the orders stream through the schedule function (runs, holdout, credit, repeats)
and the wake-ups through the send function (SES in moto, noted in the outbox).
"""

from __future__ import annotations

import csv
import heapq
import io
import itertools
import random
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, tzinfo
from typing import Final

from okaeri.attribution import in_holdout, pick_variant, step_stats_id
from okaeri.identity import customer_id_for
from okaeri.models import Order, PlanResult, Scenario, Shop
from okaeri.models.order import Customer, Item
from okaeri.planner import delivery_id, plan_order
from okaeri_dev.demo import DemoShop
from okaeri_dev.send_sample import cancel_mail, rakuten_order_id

SEED: Final = 15  # issue #15
DAYS: Final = 120
IMPORT_TIME: Final = time(8, 0)  # the shop imports yesterday's orders every morning
FIRST_SERIAL: Final = 1_500_000_001  # order numbers of their own (the tests' start elsewhere)
#: New buyers a day (none, one or two), and how likely each count is.
NEW_BUYERS: Final = ((0, 0.55), (1, 0.38), (2, 0.07))
GYOKURO_FIRST: Final = 0.65  # a new buyer's first order holds gyokuro
SAME_LINE_AGAIN: Final = 0.75  # a repeat order stays with the tea the buyer had
CANCELLED: Final = 0.05
#: A mailed buyer orders again within days of a mail, by the mail's step (``<step>@<variant>``).
REACTION: Final = {
    "thanks": 0.04,
    "like": 0.15,
    "tips@general": 0.12,
    "tips@gyokuro": 0.32,
    "love": 0.22,
}
REACTION_HOURS: Final = (6, 120)
HELD_OUT_REPEAT: Final = 0.15  # a held-out buyer orders again at all
HELD_OUT_DAYS: Final = (7, 50)
PAYMENT: Final = "クレジットカード"
SHIPPING: Final = "宅配便"


@dataclass(frozen=True)
class Tea:
    sku: str
    name: str
    price: int  # yen, tax included


TEAS: Final = (
    Tea("sencha-100", "深蒸し煎茶 100g", 1200),
    Tea("houji-tb20", "ほうじ茶ティーバッグ 20袋", 864),
    Tea("genmai-200", "玄米茶 200g", 756),
    Tea("matcha-30", "抹茶 30g", 1620),
)
GYOKURO: Final = (Tea("gyokuro-50", "玉露 50g", 2160), Tea("gyokuro-gift", "玉露ギフトセット", 4320))
FAMILY_NAMES: Final = (
    ("山田", "ヤマダ", "yamada"), ("佐藤", "サトウ", "sato"), ("鈴木", "スズキ", "suzuki"),
    ("高橋", "タカハシ", "takahashi"), ("田中", "タナカ", "tanaka"), ("伊藤", "イトウ", "ito"),
    ("渡辺", "ワタナベ", "watanabe"), ("中村", "ナカムラ", "nakamura"), ("小林", "コバヤシ", "kobayashi"),
    ("加藤", "カトウ", "kato"), ("吉田", "ヨシダ", "yoshida"), ("山本", "ヤマモト", "yamamoto"),
    ("松本", "マツモト", "matsumoto"), ("井上", "イノウエ", "inoue"),
)  # fmt: skip
GIVEN_NAMES: Final = (
    ("花子", "ハナコ", "hanako"), ("一郎", "イチロウ", "ichiro"), ("美咲", "ミサキ", "misaki"),
    ("健", "ケン", "ken"), ("陽子", "ヨウコ", "yoko"), ("大輔", "ダイスケ", "daisuke"),
    ("由美", "ユミ", "yumi"), ("翔太", "ショウタ", "shota"), ("恵", "メグミ", "megumi"),
    ("誠", "マコト", "makoto"), ("真理子", "マリコ", "mariko"), ("拓也", "タクヤ", "takuya"),
)  # fmt: skip
RMS_COLUMNS: Final = (
    "受注番号", "注文日時", "注文者名字", "注文者名前", "注文者名字フリガナ", "注文者名前フリガナ",
    "メールアドレス", "決済方法", "配送方法", "合計金額(-99999=無効値)", "商品名", "商品番号", "単価", "個数",
)  # fmt: skip


@dataclass(frozen=True)
class Buyer:
    family: tuple[str, str, str]  # kanji, kana, romaji
    given: tuple[str, str, str]

    @property
    def email(self) -> str:
        return f"{self.given[2]}.{self.family[2]}@example.jp"

    def customer(self) -> Customer:
        return Customer(
            name=f"{self.family[0]} {self.given[0]}",
            name_kana=f"{self.family[1]} {self.given[1]}",
            email=self.email,
        )


@dataclass(frozen=True)
class Placed:
    """One order of the history, and what its run did to its buyer (as the simulation saw it)."""

    order: Order
    imported_at: datetime
    scenario_id: str | None
    held_out: bool
    ab_variants: tuple[str, ...]  # the run's A/B variants, one per step that has them
    repeats: str | None  # the order id whose run this repeat order followed (None: a first order)
    cancelled_at: datetime | None


@dataclass(frozen=True)
class RmsImport:
    at: datetime
    orders: tuple[Order, ...]


@dataclass(frozen=True)
class CancelNotice:
    at: datetime
    order_id: str


@dataclass(frozen=True)
class History:
    start: datetime
    end: datetime
    zone: tzinfo  # the shop's
    orders: tuple[Placed, ...]

    def events(self) -> list[RmsImport | CancelNotice]:
        """The morning imports and the cancellation notices, in time order."""
        days: dict[datetime, list[Order]] = {}
        for placed in self.orders:
            days.setdefault(placed.imported_at, []).append(placed.order)
        imports = [RmsImport(at, tuple(orders)) for at, orders in days.items()]
        notices = [
            CancelNotice(placed.cancelled_at, placed.order.order_id)
            for placed in self.orders
            if placed.cancelled_at is not None
        ]
        return sorted([*imports, *notices], key=lambda event: event.at)


@dataclass(order=True)
class _Intent:
    """A buyer about to order (the simulation's queue, in time order)."""

    at: datetime
    seq: int
    buyer: Buyer = field(compare=False)
    gyokuro: bool = field(compare=False)
    repeats: str | None = field(compare=False)


def plan_history(demo: DemoShop, *, end: datetime, days: int = DAYS, seed: int = SEED) -> History:
    """The orders of the ``days`` days before ``end`` (the stack's start), and when each is imported
    and cancelled; orders not imported by ``end`` are not part of it."""
    rng = random.Random(seed)
    shop, scenarios = demo.shop, list(demo.scenarios)
    start = end - timedelta(days=days)
    sequence = itertools.count()
    queue = _first_orders(rng, shop, start, days, sequence)
    counts: Counter[str] = Counter()
    placed: list[Placed] = []
    while queue:
        intent = heapq.heappop(queue)
        imported_at = _import_after(shop, intent.at)
        if imported_at > end:
            continue
        order = _order(rng, intent, serial=FIRST_SERIAL + len(placed), zone=shop.tz)
        counts[intent.buyer.email] += 1
        plans = plan_order(shop, scenarios, order, now=imported_at, order_count=counts[intent.buyer.email])
        run = _Run(shop, scenarios, order, plans[0]) if plans else None
        cancelled = rng.random() < CANCELLED
        placed.append(
            Placed(
                order=order,
                imported_at=imported_at,
                scenario_id=None if run is None else run.scenario.id,
                held_out=run is not None and run.held_out,
                ab_variants=() if run is None else tuple(run.variants.values()),
                repeats=intent.repeats,
                cancelled_at=imported_at + timedelta(minutes=rng.randint(20, 90)) if cancelled else None,
            )
        )
        if not cancelled:
            again = _next_order(rng, run, intent.at, end)
            if again is not None:
                gyokuro = intent.gyokuro if rng.random() < SAME_LINE_AGAIN else not intent.gyokuro
                heapq.heappush(queue, _Intent(again, next(sequence), intent.buyer, gyokuro, order.order_id))
    return History(start=start, end=end, zone=shop.tz, orders=tuple(placed))


def _first_orders(
    rng: random.Random, shop: Shop, start: datetime, days: int, sequence: Iterator[int]
) -> list[_Intent]:
    """Each day's new buyers, at a time between 08:00 and 23:00, each buyer once."""
    buyers = [Buyer(family, given) for family in FAMILY_NAMES for given in GIVEN_NAMES]
    rng.shuffle(buyers)
    counts, weights = [count for count, _ in NEW_BUYERS], [weight for _, weight in NEW_BUYERS]
    first_day = start.astimezone(shop.tz).date()
    intents: list[_Intent] = []
    for offset in range(days):
        day = datetime.combine(first_day + timedelta(days=offset), time(8), tzinfo=shop.tz)
        for _ in range(rng.choices(counts, weights)[0]):
            at = day + timedelta(minutes=rng.randrange(15 * 60))
            if at > start and buyers:
                gyokuro = rng.random() < GYOKURO_FIRST
                intents.append(_Intent(at, next(sequence), buyers.pop(), gyokuro, None))
    heapq.heapify(intents)
    return intents


def _import_after(shop: Shop, moment: datetime) -> datetime:
    """The first morning import after ``moment``."""
    local = moment.astimezone(shop.tz)
    today = datetime.combine(local.date(), IMPORT_TIME, tzinfo=shop.tz)
    return today if local < today else today + timedelta(days=1)


def _order(rng: random.Random, intent: _Intent, *, serial: int, zone: tzinfo) -> Order:
    line = GYOKURO if intent.gyokuro else TEAS
    teas = [rng.choice(line)]
    if rng.random() < 0.3:
        teas.append(rng.choice([tea for tea in TEAS if tea not in teas]))
    items = [
        Item(sku=tea.sku, name=tea.name, quantity=rng.choice((1, 1, 1, 2)), unit_price=tea.price)
        for tea in teas
    ]
    return Order(
        source="rakuten",
        order_id=rakuten_order_id(intent.at, serial),
        ordered_at=intent.at.astimezone(zone).replace(second=rng.randrange(60), microsecond=0),
        customer=intent.buyer.customer(),
        items=items,
        payment_method=PAYMENT,
        shipping_method=SHIPPING,
        total=sum((item.unit_price or 0) * item.quantity for item in items),
    )


class _Run:
    """The run an order starts, as the product plans it: its scenario, group and A/B variants."""

    def __init__(self, shop: Shop, scenarios: Sequence[Scenario], order: Order, plan: PlanResult) -> None:
        self.scenario = next(scenario for scenario in scenarios if scenario.id == plan.scenario)
        email = order.customer.email or ""
        self.held_out = in_holdout(
            shop.id, customer_id_for(email), self.scenario.id, self.scenario.holdout_percent
        )
        self.plan = plan
        self.variants: dict[str, str] = {}
        for step in self.scenario.steps:
            mail_id = delivery_id(
                shop_id=shop.id,
                order_key=order.key,
                scenario_id=self.scenario.id,
                scenario_version=self.scenario.version,
                step_id=step.id,
            )
            variant = pick_variant(step, mail_id)
            if variant is not None:
                self.variants[step.id] = variant.id

    def mails(self, end: datetime) -> Iterator[tuple[str, datetime]]:
        """The run's mails that go out before ``end`` (none for a held-out run: the demo's holdout
        is ``whole_run``), as (stats id, send time)."""
        if self.held_out:
            return
        for planned in self.plan.deliveries:
            if planned.send_at < end:
                yield step_stats_id(planned.step, self.variants.get(planned.step)), planned.send_at


def _next_order(rng: random.Random, run: _Run | None, placed_at: datetime, end: datetime) -> datetime | None:
    """When the buyer orders again (None: not within the history)."""
    mails = [] if run is None else list(run.mails(end))
    if mails:
        for stats_id, sent_at in mails:
            if rng.random() < REACTION.get(stats_id, 0.0):
                again = sent_at + timedelta(hours=rng.uniform(*REACTION_HOURS))
                return again if again < end else None
        return None
    if rng.random() >= HELD_OUT_REPEAT:
        return None
    again = placed_at + timedelta(days=rng.uniform(*HELD_OUT_DAYS))
    return again if again < end else None


def rms_csv(orders: Sequence[Order], zone: tzinfo) -> bytes:
    """The orders as Rakuten RMS exports them: one row per item, times in ``zone``, Shift_JIS (CP932)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(RMS_COLUMNS)
    for order in orders:
        family, _, given = (order.customer.name or "").partition(" ")
        family_kana, _, given_kana = (order.customer.name_kana or "").partition(" ")
        placed = f"{order.ordered_at.astimezone(zone):%Y-%m-%d %H:%M:%S}" if order.ordered_at else ""
        for item in order.items:
            writer.writerow(
                (order.order_id, placed, family, given, family_kana, given_kana, order.customer.email,
                 order.payment_method, order.shipping_method, order.total, item.name, item.sku,
                 item.unit_price, item.quantity)
            )  # fmt: skip
    return out.getvalue().encode("cp932")


def play_history(
    history: History,
    *,
    advance_to: Callable[[datetime], object],
    import_rms: Callable[[bytes], object],
    receive_mail: Callable[[bytes], object],
) -> None:
    """Make the history happen: the clock to each event (the wake-ups due on the way fire at their
    own times), the morning's RMS CSV imported, a cancellation notice mailed in; then to its end."""
    for event in history.events():
        advance_to(event.at)
        if isinstance(event, RmsImport):
            import_rms(rms_csv(event.orders, history.zone))
        else:
            receive_mail(cancel_mail(order_id=event.order_id, at=event.at))
    advance_to(history.end)
