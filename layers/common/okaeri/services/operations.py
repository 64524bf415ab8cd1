"""Operations: what shop operators look up about orders, mails and customers (the admin API).

The adapters page through DynamoDB; this module decides what a search means. A search text
matches folded (NFKC, case, spaces ignored), so ``ＴＡＲＯ@Example.jp`` finds ``taro@example.jp`` and
``中島彩`` finds ``中島 彩``. Periods are shop-local days, both included.

Deliveries searched by a person (``q``) are found through the person: the shop's customers whose
name or address contains ``q`` (at most ``MAX_MATCHED_CUSTOMERS``), then each one's deliveries
(``by_customer``), newest first. Without ``q`` the shop's deliveries are read by send time.

What the operations need of the adapters is in ``okaeri.ports`` (``Operator*``): the DynamoDB
adapters implement them (``okaeri.aws``), ``tests/fakes.py`` in memory; ``okaeri.api.support.operations``
hands them over from ``AdminDeps``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Final, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from okaeri.errors import BadRequestError, NotFoundError, OkaeriError
from okaeri.models import (
    CustomerRecord,
    Delivery,
    DeliveryStatus,
    OrderRecord,
    PlanChange,
    Shop,
    Step,
)
from okaeri.ports import (
    Clock,
    OperatorConfig,
    OperatorCustomers,
    OperatorDeliveries,
    OperatorLogs,
    OperatorOrders,
    Schedules,
    StartKey,
)
from okaeri.rendering import PreviewCoupons, render_mail
from okaeri.services.documents import shop_of
from okaeri.services.send import delivery_template, mail_context

T = TypeVar("T")
#: A person search that matches more customers than this asks for a narrower text.
MAX_MATCHED_CUSTOMERS: Final = 30
#: The key shape of a page of deliveries (``by_time``); a person search continues after the same.
DELIVERY_PAGE_KEY: Final = frozenset({"pk", "sk", "shop_id", "send_at"})
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class OperationsDeps:
    config: OperatorConfig
    orders: OperatorOrders
    customers: OperatorCustomers
    deliveries: OperatorDeliveries
    logs: OperatorLogs
    schedules: Schedules
    clock: Clock
    unsubscribe_secret: bytes  # the preview shows the unsubscribe link the mail carries


# --- search text and periods ---------------------------------------------------------------------


def fold(text: str) -> str:
    """Text as searches compare it: NFKC, case-folded, without spaces."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", text)).casefold()


def matcher(q: str) -> Callable[[str | None], bool]:
    """Whether a field contains ``q`` (folded)."""
    needle = fold(q)
    return lambda value: bool(value) and needle in fold(str(value))


def shop_period(
    shop: Shop, day_from: date | None, day_to: date | None
) -> tuple[datetime | None, datetime | None]:
    """The shop-local days ``day_from``…``day_to`` (both included; either may be open) as instants."""
    if day_from is not None and day_to is not None and day_from > day_to:
        raise BadRequestError(
            "期間の開始日（from）が終了日（to）より後になっています。",
            "The period's start (from) is after its end (to).",
            code="bad_period",
        )
    since = None if day_from is None else datetime.combine(day_from, time(), tzinfo=shop.tz)
    until = None
    if day_to is not None:
        until = datetime.combine(day_to + timedelta(days=1), time(), tzinfo=shop.tz) - timedelta(
            microseconds=1
        )
    return since, until


def _bad_cursor() -> BadRequestError:
    return BadRequestError(
        "ページの指定（cursor）が正しくありません。一覧を最初から読み直してください。",
        "The page cursor is not valid. Reload the list from the start.",
        code="bad_cursor",
    )


# --- orders ----------------------------------------------------------------------------------------


def order_matches(q: str) -> Callable[[OrderRecord], bool]:
    """An order whose id, customer name (or kana) or address contains ``q``."""
    contains = matcher(q)

    def keep(record: OrderRecord) -> bool:
        customer = record.order.customer
        return any(
            contains(value)
            for value in (
                record.order.order_id,
                record.order_key,
                customer.name,
                customer.name_kana,
                customer.email,
            )
        )

    return keep


def search_orders(
    deps: OperationsDeps,
    shop_id: str,
    *,
    day_from: date | None,
    day_to: date | None,
    q: str | None,
    limit: int,
    start: Mapping[str, Any] | None,
) -> tuple[list[OrderRecord], StartKey]:
    since, until = shop_period(shop_of(deps.config, shop_id), day_from, day_to)
    keep = order_matches(q) if q else None
    return deps.orders.search(shop_id, since=since, until=until, keep=keep, limit=limit, start=start)


class OrderDetail(BaseModel):
    """An order, its deliveries and how their plan changed as better order data came (issue #13)."""

    order: OrderRecord
    deliveries: list[Delivery]
    plan_changes: list[PlanChange] = Field(default_factory=list)


def plan_changes(deliveries: Iterable[Delivery]) -> list[PlanChange]:
    """Every re-planning noted on the deliveries, oldest first (superseded before its replacement)."""
    order = {"superseded": 0, "moved": 1, "replaces": 2}
    notes = [note for delivery in deliveries for note in delivery.history]
    return sorted(notes, key=lambda note: (note.at, order[note.change], note.delivery_id))


def _found[Item](item: Item | None, what_ja: str, what_en: str, item_id: str, code: str) -> Item:
    """``item``; a 404 ``code`` naming it (``what``: its kind in Japanese and English) when it is None."""
    if item is None:
        raise NotFoundError(
            f"{what_ja} {item_id} が見つかりません。", f"{what_en} {item_id} not found.", code=code
        )
    return item


def order_detail(deps: OperationsDeps, shop_id: str, order_key: str) -> OrderDetail:
    record = _found(deps.orders.get(shop_id, order_key), "注文", "Order", order_key, "order_not_found")
    deliveries = sorted(deps.deliveries.by_order(shop_id, order_key), key=lambda d: (d.send_at, d.id))
    return OrderDetail(order=record, deliveries=deliveries, plan_changes=plan_changes(deliveries))


# --- deliveries ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeliveryFilter:
    day_from: date | None = None
    day_to: date | None = None
    status: DeliveryStatus | None = None
    scenario_id: str | None = None
    q: str | None = None

    def accepts(self, delivery: Delivery) -> bool:
        return (self.status is None or delivery.status == self.status) and (
            self.scenario_id is None or delivery.scenario_id == self.scenario_id
        )


class DeliveryRow(Delivery):
    """A delivery as the list shows it, with the buyer's name: a Rakuten buyer's address is a masked
    relay address, so the name is what an operator who searched by name recognises."""

    customer_name: str | None = None


def _rows(deliveries: Iterable[Delivery], names: Mapping[str, str | None]) -> list[DeliveryRow]:
    return [
        DeliveryRow.model_validate(
            {**delivery.model_dump(), "customer_name": names.get(delivery.customer_id or "")}
        )
        for delivery in deliveries
    ]


def _names_of(deps: OperationsDeps, shop_id: str, deliveries: Iterable[Delivery]) -> dict[str, str | None]:
    """The buyers' names of a page of deliveries: one read per distinct customer on the page."""
    names: dict[str, str | None] = {}
    for customer_id in {delivery.customer_id for delivery in deliveries if delivery.customer_id}:
        record = deps.customers.get(shop_id, customer_id)
        names[customer_id] = record.name if record is not None else None
    return names


def search_deliveries(
    deps: OperationsDeps,
    shop_id: str,
    wanted: DeliveryFilter,
    *,
    limit: int,
    start: Mapping[str, Any] | None,
) -> tuple[list[DeliveryRow], StartKey]:
    """A page of the shop's deliveries, newest send time first, each with its buyer's name."""
    since, until = shop_period(shop_of(deps.config, shop_id), wanted.day_from, wanted.day_to)
    if not wanted.q:
        keep = wanted.accepts if wanted.status or wanted.scenario_id else None
        listed, next_start = deps.deliveries.search(
            shop_id, since=since, until=until, keep=keep, limit=limit, start=start
        )
        return _rows(listed, _names_of(deps, shop_id, listed)), next_start
    after = _after(shop_id, start)
    matched = _customers_matching(deps, shop_id, wanted.q)
    found = [
        delivery
        for customer in matched
        for delivery in deps.deliveries.by_customer(shop_id, customer.customer_id)
        if wanted.accepts(delivery)
        and (since is None or delivery.send_at >= since)
        and (until is None or delivery.send_at <= until)
    ]
    ordered = sorted(found, key=lambda d: (d.send_at, d.id), reverse=True)
    page = [delivery for delivery in ordered if after is None or (delivery.send_at, delivery.id) < after][
        :limit
    ]
    rows = _rows(page, {customer.customer_id: customer.name for customer in matched})
    if len(page) < limit or page[-1] is ordered[-1]:
        return rows, None
    last = page[-1]
    return rows, {"pk": shop_id, "sk": last.id, "shop_id": shop_id, "send_at": last.send_at.isoformat()}


def _after(shop_id: str, start: Mapping[str, Any] | None) -> tuple[datetime, str] | None:
    """Where a person search's page continues: after this (send time, id), newest first."""
    if start is None:
        return None
    if set(start) != DELIVERY_PAGE_KEY or start["pk"] != shop_id or start["shop_id"] != shop_id:
        raise _bad_cursor()
    try:
        moment = datetime.fromisoformat(str(start["send_at"]))
    except ValueError:
        raise _bad_cursor() from None
    if moment.tzinfo is None:
        raise _bad_cursor()
    return moment, str(start["sk"])


def customer_matches(q: str) -> Callable[[CustomerRecord], bool]:
    contains = matcher(q)
    return lambda customer: contains(customer.name) or contains(customer.email)


def _customers_matching(deps: OperationsDeps, shop_id: str, q: str) -> list[CustomerRecord]:
    """Every customer of the shop whose name or address contains ``q`` (refused past a bound)."""
    matched: list[CustomerRecord] = []
    start: StartKey = None
    while True:
        page, start = deps.customers.search(
            shop_id, keep=customer_matches(q), limit=MAX_MATCHED_CUSTOMERS + 1 - len(matched), start=start
        )
        matched += page
        if len(matched) > MAX_MATCHED_CUSTOMERS:
            raise BadRequestError(
                f"「{q}」に当てはまるお客様が {MAX_MATCHED_CUSTOMERS} 人を超えます。もっと詳しく指定してください。",
                f"More than {MAX_MATCHED_CUSTOMERS} customers match {q!r}; search for something more specific.",
                code="search_too_broad",
            )
        if start is None:
            return matched


class MailPreview(BaseModel):
    """A delivery's mail as it will be (or was) sent. Coupon codes show as ``PREVIEW-<pool>``: a
    preview never takes a code from a pool."""

    to: str
    subject: str
    text: str
    html: str | None
    mobile: bool


class PreviewProblem(BaseModel):
    """Why there is no preview (the mail would not go out as it stands)."""

    code: str
    message_ja: str
    message_en: str


class OperatorAction(BaseModel):
    """What an operator did to one mail, from the audit log: who (``by``: address or id), when,
    and from what to what (``was`` → ``to``: send times for a reschedule; for an edit, ``fields``
    names what changed and ``was``/``to`` the subject when it did)."""

    model_config = ConfigDict(json_schema_serialization_defaults_required=True)  # an answer has all

    at: datetime
    action: str  # stop | reschedule | edit | resend | drop
    by: str | None = None
    was: str | None = None
    to: str | None = None
    fields: list[str] = Field(default_factory=list)


class DeliveryDetail(BaseModel):
    delivery: Delivery
    mail: MailPreview | None = None
    problem: PreviewProblem | None = None
    actions: list[OperatorAction] = Field(default_factory=list)  # oldest first


#: Audit actions on a delivery (``delivery.<action>``, detail ``delivery``: its id).
DELIVERY_ACTIONS: Final = ("stop", "reschedule", "edit", "resend", "drop")


def operator_actions(deps: OperationsDeps, shop_id: str, delivery_id: str) -> list[OperatorAction]:
    """Every operator action on one mail, oldest first: the audit entries kept under the mail (its
    own, however many the shop's log holds for other mails)."""
    found: list[OperatorAction] = []
    for entry in deps.logs.delivery_audit(shop_id, delivery_id):
        action = str(entry.get("action", ""))
        detail = entry.get("detail") or {}
        name = action.removeprefix("delivery.")
        if action == name or name not in DELIVERY_ACTIONS or detail.get("delivery") != delivery_id:
            continue
        to = detail.get("send_at") if name == "reschedule" else detail.get("subject")
        found.append(
            OperatorAction(
                at=entry["at"],
                action=name,
                by=detail.get("by"),
                was=detail.get("was"),
                to=to,
                fields=list(detail.get("fields") or []),
            )
        )
    return sorted(found, key=lambda one: one.at)


def get_delivery(deps: OperationsDeps, shop_id: str, delivery_id: str) -> Delivery:
    return _found(
        deps.deliveries.get(shop_id, delivery_id), "配信", "Delivery", delivery_id, "delivery_not_found"
    )


def delivery_detail(deps: OperationsDeps, shop_id: str, delivery_id: str) -> DeliveryDetail:
    delivery = get_delivery(deps, shop_id, delivery_id)
    try:
        mail = preview(deps, delivery)
    except OkaeriError as exc:
        problem = PreviewProblem(code=exc.code, message_ja=exc.message_ja, message_en=exc.message_en)
        return DeliveryDetail(
            delivery=delivery, problem=problem, actions=operator_actions(deps, shop_id, delivery_id)
        )
    return DeliveryDetail(delivery=delivery, mail=mail, actions=operator_actions(deps, shop_id, delivery_id))


def preview(deps: OperationsDeps, delivery: Delivery) -> MailPreview:
    """Render the delivery's mail the way the send service does (``send.delivery_template`` and
    ``send.mail_context``), without spending a coupon code; an ``OkaeriError`` says what is missing."""
    shop = shop_of(deps.config, delivery.shop_id)
    step = _pinned_step(deps, delivery)
    record = deps.orders.get(delivery.shop_id, delivery.order_key)
    if record is None:
        raise NotFoundError(
            f"配信の注文 {delivery.order_key} がありません。",
            f"The delivery's order {delivery.order_key} is gone.",
            code="order_missing",
        )
    if not delivery.customer_email:
        raise NotFoundError(
            "この配信には宛先がありません。", "This delivery has no recipient.", code="no_recipient"
        )
    context = mail_context(
        shop=shop,
        step=step,
        order=record,
        delivery=delivery,
        recipient=delivery.customer_email,
        unsubscribe_secret=deps.unsubscribe_secret,
        coupons=PreviewCoupons(),
    )
    template = delivery_template(deps.config, delivery)
    rendered, _ = render_mail(template, context, to=delivery.customer_email, now=deps.clock.now())
    return MailPreview(
        to=delivery.customer_email,
        subject=rendered.subject,
        text=rendered.text,
        html=rendered.html,
        mobile=rendered.mobile,
    )


def _pinned_step(deps: OperationsDeps, delivery: Delivery) -> Step:
    scenario = deps.config.scenario_version(delivery.shop_id, delivery.scenario_id, delivery.scenario_version)
    step = None if scenario is None else scenario.find_step(delivery.step_id)
    if step is None:
        raise NotFoundError(
            f"シナリオ {delivery.scenario_id}（版 {delivery.scenario_version}）のステップ {delivery.step_id} がありません。",
            f"Step {delivery.step_id} of scenario {delivery.scenario_id} (version {delivery.scenario_version}) "
            "is gone.",
            code="scenario_missing",
        )
    return step


# --- customers -------------------------------------------------------------------------------------


def search_customers(
    deps: OperationsDeps, shop_id: str, *, q: str | None, limit: int, start: Mapping[str, Any] | None
) -> tuple[list[CustomerRecord], StartKey]:
    keep = customer_matches(q) if q else None
    return deps.customers.search(shop_id, keep=keep, limit=limit, start=start)


def get_customer(deps: OperationsDeps, shop_id: str, customer_id: str) -> CustomerRecord:
    return _found(
        deps.customers.get(shop_id, customer_id), "お客様", "Customer", customer_id, "customer_not_found"
    )


def customer_orders(deps: OperationsDeps, shop_id: str, customer: CustomerRecord) -> list[OrderRecord]:
    """The customer's orders, newest first: those in ``by_customer`` and any other the customer item
    counted (an order without an order time is not in the index)."""
    records = {record.order_key: record for record in deps.orders.by_customer(shop_id, customer.customer_id)}
    for order_key in deps.customers.order_keys(shop_id, customer.customer_id):
        if order_key not in records and (record := deps.orders.get(shop_id, order_key)) is not None:
            records[order_key] = record
    return sorted(records.values(), key=_order_time, reverse=True)


def _order_time(record: OrderRecord) -> datetime:
    return record.order.ordered_at or record.received_at
