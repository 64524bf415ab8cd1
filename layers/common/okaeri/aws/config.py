"""The ``config`` table: what operators edit (shop, scenarios, templates, masks, relays), the daily
counters, and the coupon pools. Everything of a shop is under ``pk`` = shop id.

Scenarios and templates are versioned: ``<kind>#<id>#v0001``, ``#v0002``, … are kept for good
(deliveries keep the version they were planned with), and ``<kind>#<id>#current`` holds the number
of the version in use, a copy of it (one read for the current one) and, for a scenario, whether it
is active. A save writes the new version and moves the pointer in one transaction; saving content
equal to the current version makes no new version. Deleting a scenario marks its pointer
``deleted`` (it must be inactive first); its versions stay, so planned deliveries keep theirs, and
creating the same id again continues its version numbers.

The shop item carries a ``revision`` number: ``update_shop`` reads it, applies an edit and writes
only if nobody wrote in between (it retries a few times), so two operators toggling calendar days at
once both win.

Coupon codes: ``coupon#<pool>#free#<code>`` (unused), ``coupon#<pool>#given#<delivery id>`` (the code
a delivery got) and ``coupon#<pool>#used#<code>`` (the code is spent: it can never be loaded as free
again). A code moves from free to given+used in one transaction, so two deliveries never share one.
Loading a pool also writes ``coupon-pool#<pool>`` (its name), so the pools can be listed without
reading their codes.

The win-back registry (issue #16): ``pk`` = ``#winback`` (no shop id starts with ``#``), ``sk`` = a
shop id, one item per shop that has saved a ``trigger: lapsed`` scenario, with ``done_through``: the
last day (in the shop's zone) the daily win-back job finished for it. The job lists the shops with
one Query, never a Scan.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

from okaeri.aws.dynamo import SK, Expression, Table, expires_at
from okaeri.compliance import MALLS
from okaeri.errors import ConflictError, CouponPoolEmptyError, NotFoundError, TooManyRowsError
from okaeri.models import RelayConfig, Scenario, Shop, Template
from okaeri.models.admin import PoolLoad, StepStats, VersionInfo
from okaeri.ports import OnceCount, WinbackShop

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

    from okaeri.parsing import ParseMask

VersionedT = TypeVar("VersionedT", Scenario, Template)

SHOP_SK = "shop"
#: The malls the shop received orders of: a string set of sources per mall (``record_mall_source``).
MALLS_SK = "malls"
SHOP_UPDATE_ATTEMPTS = 4  # read-edit-write rounds before a busy shop item gives up with a conflict
STATS_PREFIX = "stats#"
#: The most daily counter rows one period's figures are read from: 366 days of 100 scenarios with a
#: step and a scenario row each, and then some. More is refused rather than answered in part.
MAX_STATS_ROWS = 100_000
COUNTED_PREFIX = "counted#"
#: How long a ``count_once`` marker is kept (the config table's TTL removes it then).
COUNTED_RETENTION_DAYS = 400
COUNTER_PATTERN = re.compile(r"^[a-z][a-z_]{0,31}$")
_STATS_ATTRIBUTES = frozenset({"pk", "sk", "day", "scenario_id", "step_id"})
_NOT_CONTENT = frozenset({"version", "active"})  # what a save may differ in without being an edit
#: The partition of the win-back registry (a shop id never starts with ``#``).
WINBACK_PK = "#winback"
DONE_THROUGH = "done_through"


def _version_sk(kind: str, doc_id: str, version: int) -> str:
    return f"{kind}#{doc_id}#v{version:04d}"


def _current_sk(kind: str, doc_id: str) -> str:
    return f"{kind}#{doc_id}#current"


def _content(document: Scenario | Template) -> dict[str, Any]:
    return document.model_dump(mode="json", exclude=set(_NOT_CONTENT))


def _not_found(kind: str, doc_id: str, shop_id: str) -> NotFoundError:
    label = {"scenario": "シナリオ", "template": "テンプレート"}.get(kind, kind)
    return NotFoundError(f"{label} {doc_id} が見つかりません", f"{kind} {doc_id} not found in shop {shop_id}")


def _exists(kind: str, doc_id: str) -> ConflictError:
    label = {"scenario": "シナリオ", "template": "テンプレート"}.get(kind, kind)
    return ConflictError(
        f"{label} {doc_id} は既にあります。編集するには更新してください",
        f"{kind} {doc_id} exists already; update it instead",
        code="exists",
    )


class DynamoConfig:
    """``ports.ShopConfig`` over the ``config`` table, and the writers the admin API and the local
    stack use."""

    def __init__(self, table_name: str, *, client: DynamoDBClient | None = None) -> None:
        self._table = Table(table_name, client=client)

    # --- shop ----------------------------------------------------------------------------------

    def shop(self, shop_id: str) -> Shop | None:
        item = self._table.get(shop_id, SHOP_SK)
        return Shop.model_validate(item["doc"]) if item is not None else None

    def put_shop(self, shop: Shop) -> None:
        self._table.put({"pk": shop.id, "sk": SHOP_SK, "doc": shop.model_dump(mode="json")})

    def create_shop(self, shop: Shop) -> bool:
        """Write a new shop's settings; False (nothing written) when the shop already has some."""
        return self._table.insert({"pk": shop.id, "sk": SHOP_SK, "doc": shop.model_dump(mode="json")}) is None

    def update_shop(self, shop_id: str, edit: Callable[[Shop], Shop]) -> tuple[Shop, Shop]:
        """Apply ``edit`` to the stored shop and write the result only if nobody wrote meanwhile.

        Returns (before, after); an edit that changes nothing writes nothing. ``edit`` may run more
        than once (after a lost race it sees the newer shop), so it must be a pure function of its
        argument. NotFoundError when the shop is absent.
        """
        for _ in range(SHOP_UPDATE_ATTEMPTS):
            item = self._table.get(shop_id, SHOP_SK)
            if item is None:
                raise NotFoundError(f"ショップ {shop_id} が見つかりません", f"shop {shop_id} not found")
            before = Shop.model_validate(item["doc"])
            after = edit(before)
            if after.id != shop_id:
                raise ValueError(f"an edit of shop {shop_id} may not change its id to {after.id}")
            if after == before:
                return before, after  # nothing to write: a repeated edit costs one read
            revision = int(item.get("revision", 0))
            expr = Expression()
            condition = (
                f"{expr.name('revision')} = {expr.value(revision)}"
                if "revision" in item
                else f"attribute_not_exists({expr.name('revision')})"
            )
            written = self._table.put(
                {
                    "pk": shop_id,
                    "sk": SHOP_SK,
                    "doc": after.model_dump(mode="json"),
                    "revision": revision + 1,
                },
                condition=condition,
                expr=expr,
            )
            if written:
                return before, after
        raise ConflictError(
            f"ショップ {shop_id} の設定は同時に変更されています。読み込み直してからやり直してください",
            f"the settings of shop {shop_id} keep changing; reload them and try again",
        )

    # --- scenarios -----------------------------------------------------------------------------

    def scenarios(self, shop_id: str) -> list[Scenario]:
        """The current version of every scenario, active or not, by id."""
        return self._currents(shop_id, "scenario", Scenario)

    def active_scenarios(self, shop_id: str) -> list[Scenario]:
        return [scenario for scenario in self.scenarios(shop_id) if scenario.active]

    def scenario(self, shop_id: str, scenario_id: str) -> Scenario | None:
        """The current version of one scenario."""
        return self._current(shop_id, "scenario", scenario_id, Scenario)

    def scenario_version(self, shop_id: str, scenario_id: str, version: int) -> Scenario | None:
        """A version as it was saved (its ``active`` flag is the one it was saved with)."""
        return self._version(shop_id, "scenario", scenario_id, version, Scenario)

    def save_scenario(self, shop_id: str, scenario: Scenario, *, new: bool = False) -> Scenario:
        """Store an edit as the next version (the ``version`` given is ignored) and make it current;
        the same content again makes no new version (only ``active`` is applied).

        ``new``: the scenario must not exist yet (a deleted one may be created again): ConflictError
        otherwise, even when two creations race. A ``trigger: lapsed`` scenario puts the shop on the
        win-back registry first (a crash in between leaves a registration that finds nothing to do)."""
        if scenario.trigger == "lapsed":
            self.register_winback(shop_id)
        return self._save(shop_id, "scenario", scenario, active=scenario.active, new=new)

    def scenario_versions(self, shop_id: str, scenario_id: str) -> list[VersionInfo]:
        """Every stored version of a scenario, oldest first (empty when it does not exist)."""
        return self._versions(shop_id, "scenario", scenario_id)

    def delete_scenario(self, shop_id: str, scenario_id: str) -> Scenario:
        """Mark an inactive scenario deleted: it leaves the lists; its versions stay for the
        deliveries pinned to them. NotFoundError when absent, ConflictError while it is active."""
        expr = Expression()
        update = expr.update(set_values={"deleted": True})
        item = self._table.update(
            shop_id,
            _current_sk("scenario", scenario_id),
            expr,
            update=update,
            condition=(
                f"attribute_exists({SK}) AND attribute_not_exists({expr.name('deleted')}) "
                f"AND {expr.name('active')} = {expr.value(False)}"
            ),
        )
        if item is not None:
            return Scenario.model_validate(item["doc"])
        if self.scenario(shop_id, scenario_id) is None:
            raise _not_found("scenario", scenario_id, shop_id)
        raise ConflictError(
            f"シナリオ {scenario_id} は有効です。停止してから削除してください",
            f"scenario {scenario_id} is active; deactivate it before deleting it",
            code="scenario_active",
        )

    def set_scenario_active(self, shop_id: str, scenario_id: str, active: bool) -> Scenario:
        """Switch a scenario on or off (its current version; no new version)."""
        doc = self._set_active(shop_id, scenario_id, active)
        if doc is None:
            raise _not_found("scenario", scenario_id, shop_id)
        return Scenario.model_validate(doc)

    def _set_active(self, shop_id: str, scenario_id: str, active: bool) -> dict[str, Any] | None:
        expr = Expression()
        update = expr.update(set_values={"active": active, "doc.active": active})
        item = self._table.update(
            shop_id,
            _current_sk("scenario", scenario_id),
            expr,
            update=update,
            condition=f"attribute_exists({SK}) AND attribute_not_exists({expr.name('deleted')})",
        )
        return dict(item["doc"]) if item is not None else None

    # --- templates -----------------------------------------------------------------------------

    def templates(self, shop_id: str) -> list[Template]:
        """The current version of every template, by id."""
        return self._currents(shop_id, "template", Template)

    def template(self, shop_id: str, template_id: str, version: int | None = None) -> Template | None:
        if version is None:
            return self._current(shop_id, "template", template_id, Template)
        return self._version(shop_id, "template", template_id, version, Template)

    def save_template(self, shop_id: str, template: Template, *, new: bool = False) -> Template:
        """Like ``save_scenario``: a new version only when the content changed."""
        return self._save(shop_id, "template", template, active=None, new=new)

    def template_versions(self, shop_id: str, template_id: str) -> list[VersionInfo]:
        """Every stored version of a template, oldest first (empty when it does not exist)."""
        return self._versions(shop_id, "template", template_id)

    # --- versioned documents -------------------------------------------------------------------

    def _currents(self, shop_id: str, kind: str, model: type[VersionedT]) -> list[VersionedT]:
        # The prefix also reads the versions: a few RRU per shop, and one query instead of N reads.
        expr = Expression()
        items = self._table.query_all(
            expr, f"pk = {expr.value(shop_id)} AND begins_with(sk, {expr.value(kind + '#')})"
        )
        return [
            model.model_validate(item["doc"])
            for item in items
            if str(item["sk"]).endswith("#current") and not item.get("deleted")
        ]

    def _current(self, shop_id: str, kind: str, doc_id: str, model: type[VersionedT]) -> VersionedT | None:
        """The current version; None when there is none or the document was deleted."""
        item = self._table.get(shop_id, _current_sk(kind, doc_id))
        return model.model_validate(item["doc"]) if item is not None and not item.get("deleted") else None

    def _versions(self, shop_id: str, kind: str, doc_id: str) -> list[VersionInfo]:
        pointer = self._table.get(shop_id, _current_sk(kind, doc_id))
        if pointer is None or pointer.get("deleted"):
            return []
        current = int(pointer["version"])
        return [
            VersionInfo(
                version=int(item["version"]),
                name=str(item["doc"].get("name", "")),
                current=int(item["version"]) == current,
            )
            for item in self._prefixed(shop_id, f"{kind}#{doc_id}#v")
        ]

    def _version(
        self, shop_id: str, kind: str, doc_id: str, version: int, model: type[VersionedT]
    ) -> VersionedT | None:
        item = self._table.get(shop_id, _version_sk(kind, doc_id, version))
        return model.model_validate(item["doc"]) if item is not None else None

    def _save(
        self, shop_id: str, kind: str, document: VersionedT, *, active: bool | None, new: bool
    ) -> VersionedT:
        stored = self._table.get(shop_id, _current_sk(kind, document.id))
        current = type(document).model_validate(stored["doc"]) if stored is not None else None
        deleted = stored is not None and bool(stored.get("deleted"))
        if new and current is not None and not deleted:
            raise _exists(kind, document.id)
        if current is not None and not deleted and _content(current) == _content(document):
            if active is not None and getattr(current, "active", active) != active:
                doc = self._set_active(shop_id, document.id, active)
                return type(document).model_validate(doc) if doc is not None else current
            return current
        version = current.version + 1 if current is not None else 1
        saved = document.model_copy(update={"version": version})
        doc = saved.model_dump(mode="json")
        pointer: dict[str, Any] = {
            "pk": shop_id,
            "sk": _current_sk(kind, saved.id),
            "version": version,
            "doc": doc,
        }
        if active is not None:
            pointer["active"] = active
        expr = Expression()
        moved_from = (
            f"attribute_not_exists({SK})"
            if current is None
            else f"{expr.name('version')} = {expr.value(current.version)}"
        )
        version_item = {
            "pk": shop_id,
            "sk": _version_sk(kind, saved.id, version),
            "version": version,
            "doc": doc,
        }
        actions = [
            self._table.put_action(version_item, condition=f"attribute_not_exists({SK})"),
            self._table.put_action(pointer, condition=moved_from, expr=expr),
        ]
        if self._table.transact(actions) is not None:
            if new and current is None:
                raise _exists(kind, saved.id)  # another creation of the same id won the race
            raise ConflictError(
                f"{kind} {saved.id} は同時に編集されました。読み込み直してから保存してください",
                f"{kind} {saved.id} was edited meanwhile; reload it and save again",
            )
        return saved

    # --- the win-back registry (ports.WinbackRegistry) ----------------------------------------------

    def register_winback(self, shop_id: str) -> None:
        self._table.insert({"pk": WINBACK_PK, "sk": shop_id})  # an entry there keeps its day done

    def winback_shops(self) -> list[WinbackShop]:
        expr = Expression()
        items = self._table.query_all(expr, f"pk = {expr.value(WINBACK_PK)}")
        return [
            WinbackShop(
                shop_id=str(item[SK]),
                done_through=date.fromisoformat(item[DONE_THROUGH]) if item.get(DONE_THROUGH) else None,
            )
            for item in items
        ]

    def winback_done(self, shop_id: str, day: date) -> bool:
        expr = Expression()
        done = expr.name(DONE_THROUGH)
        update = expr.update(set_values={DONE_THROUGH: day.isoformat()})
        condition = f"attribute_not_exists({done}) OR {done} < {expr.value(day.isoformat())}"
        return self._table.update(WINBACK_PK, shop_id, expr, update=update, condition=condition) is not None

    # --- masks, relays -------------------------------------------------------------------------

    def masks(self, shop_id: str) -> list[ParseMask]:
        from okaeri.parsing import ParseMask  # the parsers load only where masks are used

        return [ParseMask.model_validate(item["doc"]) for item in self._prefixed(shop_id, "mask#")]

    def mask(self, shop_id: str, name: str) -> ParseMask | None:
        from okaeri.parsing import ParseMask

        item = self._table.get(shop_id, f"mask#{name}")
        return ParseMask.model_validate(item["doc"]) if item is not None else None

    def put_mask(self, shop_id: str, mask: ParseMask) -> None:
        self._table.put({"pk": shop_id, "sk": f"mask#{mask.name}", "doc": mask.model_dump(mode="json")})

    def delete_mask(self, shop_id: str, name: str) -> None:
        self._table.delete(shop_id, f"mask#{name}")

    def relays(self, shop_id: str) -> list[RelayConfig]:
        return list(self.named_relays(shop_id).values())

    def named_relays(self, shop_id: str) -> dict[str, RelayConfig]:
        return {
            str(item["name"]): RelayConfig.model_validate(item["doc"])
            for item in self._prefixed(shop_id, "relay#")
        }

    def put_relay(self, shop_id: str, name: str, relay: RelayConfig) -> None:
        self._table.put(
            {"pk": shop_id, "sk": f"relay#{name}", "name": name, "doc": relay.model_dump(mode="json")}
        )

    def delete_relay(self, shop_id: str, name: str) -> None:
        self._table.delete(shop_id, f"relay#{name}")

    # --- what the shop receives ---------------------------------------------------------------

    def record_mall_source(self, shop_id: str, mall: str, source: str) -> None:
        """One UpdateItem adding ``source`` to the ``malls`` item's string set ``mall`` (ADD: again
        changes nothing)."""
        if mall not in MALLS:
            raise ValueError(f"not a mall: {mall!r}")
        expr = Expression()
        self._table.update(shop_id, MALLS_SK, expr, update=expr.update(add={mall: {source}}))

    def mall_sources(self, shop_id: str) -> dict[str, frozenset[str]]:
        item = self._table.get(shop_id, MALLS_SK) or {}
        return {mall: frozenset(item[mall]) for mall in MALLS if item.get(mall)}

    def _prefixed(self, shop_id: str, prefix: str) -> list[dict[str, Any]]:
        expr = Expression()
        return self._table.query_all(
            expr, f"pk = {expr.value(shop_id)} AND begins_with(sk, {expr.value(prefix)})"
        )

    # --- daily counters ------------------------------------------------------------------------

    def count(self, shop_id: str, *, day: date, scenario_id: str, step_id: str, counter: str) -> None:
        expr = Expression()
        update = self._stats_update(expr, day, scenario_id, step_id, {counter: 1})
        self._table.update(shop_id, stats_sk(day, scenario_id, step_id), expr, update=update)

    def count_once(self, shop_id: str, count: OnceCount) -> bool:
        """Add the counters to the day's row once per key: the ``counted#<key>`` marker is put in the
        same transaction, on the condition that it is not there yet (False: counted before). Markers
        expire ``COUNTED_RETENTION_DAYS`` after ``count.at``, long after any retry of the event."""
        marker = {
            "pk": shop_id,
            "sk": f"{COUNTED_PREFIX}{count.key}",
            "expires_at": expires_at(count.at, COUNTED_RETENTION_DAYS),
        }
        expr = Expression()
        update = self._stats_update(expr, count.day, count.scenario_id, count.step_id, count.counters)
        row = stats_sk(count.day, count.scenario_id, count.step_id)
        return self._table.transact_if(
            [
                self._table.put_action(marker, condition=f"attribute_not_exists({SK})"),
                self._table.update_action(shop_id, row, expr, update=update),
            ]
        )

    def take_back(self, shop_id: str, count: OnceCount) -> bool:
        """The ``counted#<key>`` marker deleted (if it is there) and the counters subtracted, in one
        transaction: False when the key was not counted."""
        expr = Expression()
        negated = {name: -amount for name, amount in count.counters.items()}
        update = self._stats_update(expr, count.day, count.scenario_id, count.step_id, negated)
        row = stats_sk(count.day, count.scenario_id, count.step_id)
        return self._table.transact_if(
            [
                self._table.delete_action(
                    shop_id, f"{COUNTED_PREFIX}{count.key}", condition=f"attribute_exists({SK})"
                ),
                self._table.update_action(shop_id, row, expr, update=update),
            ]
        )

    @staticmethod
    def _stats_update(
        expr: Expression, day: date, scenario_id: str, step_id: str, counters: Mapping[str, int]
    ) -> str:
        check_counters(counters)
        return expr.update(
            set_values={"day": day.isoformat(), "scenario_id": scenario_id, "step_id": step_id},
            add=dict(counters),
        )

    def stats(self, shop_id: str, day_from: date, day_to: date) -> list[StepStats]:
        """Every step's counters from ``day_from`` to ``day_to`` (both included), by day: every row,
        page after page (a year of a shop with many scenarios, steps and A/B variants holds tens of
        thousands). Past ``MAX_STATS_ROWS`` the period is refused, never answered with part of it."""
        expr = Expression()
        condition = (
            f"pk = {expr.value(shop_id)} AND sk BETWEEN {expr.value(f'{STATS_PREFIX}{day_from.isoformat()}#')} "
            f"AND {expr.value(f'{STATS_PREFIX}{day_to.isoformat()}#~')}"  # "~" sorts after every id character
        )
        return [
            StepStats(
                day=date.fromisoformat(str(item["day"])),
                scenario_id=str(item["scenario_id"]),
                step_id=str(item["step_id"]),
                counters={name: int(value) for name, value in item.items() if name not in _STATS_ATTRIBUTES},
            )
            for item in self._stats_rows(expr, condition, day_from, day_to)
        ]

    def _stats_rows(
        self, expr: Expression, condition: str, day_from: date, day_to: date
    ) -> list[dict[str, Any]]:
        items = self._table.query_all(expr, condition, max_items=MAX_STATS_ROWS + 1)
        if len(items) > MAX_STATS_ROWS:
            raise TooManyRowsError(
                f"{day_from}〜{day_to} の集計は {MAX_STATS_ROWS:,} 行を超えます。期間を短くしてください",
                f"the counters of {day_from} to {day_to} exceed {MAX_STATS_ROWS:,} rows: choose a shorter period",
            )
        return items


def check_counters(names: Iterable[str]) -> None:
    """Refuse a name that is no counter (``ValueError``): one that could overwrite the row's keys."""
    for name in names:
        if not COUNTER_PATTERN.match(name) or name in _STATS_ATTRIBUTES:
            raise ValueError(f"not a counter name: {name!r}")


def stats_sk(day: date, scenario_id: str, step_id: str) -> str:
    """The sort key of one day's counters of a step (``*``: the scenario's or the shop's)."""
    return f"{STATS_PREFIX}{day.isoformat()}#{scenario_id}#{step_id}"


# --- coupons -----------------------------------------------------------------------------------

_LOAD_BATCH = 50  # codes per transaction: a check and a put each, within DynamoDB's 100 actions
_CANDIDATES = 10  # free codes read per try; a claimer picks among them at random to avoid the others
_CONDITION_FAILED = "ConditionalCheckFailed"


_POOL_PREFIX = "coupon-pool#"  # "coupon-pool#…" never begins with "coupon#<pool>#": no code query reads it


def _coupon_sk(pool: str, state: str, name: str) -> str:
    return f"coupon#{pool}#{state}#{name}"


class DynamoCoupons:
    """``ports.Coupons`` over the ``config`` table: unique codes, once per delivery.

    ``max_attempts`` bounds the transactions one ``code_for`` may try when other deliveries take
    the codes it aimed at (a sale burst); past it a ConflictError asks the caller to retry later.
    """

    def __init__(
        self,
        table_name: str,
        *,
        max_attempts: int = 8,
        client: DynamoDBClient | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self._table = Table(table_name, client=client)
        self._max_attempts = max_attempts
        self._rng = rng or random.Random()

    def load_pool(self, shop_id: str, pool: str, codes: Iterable[str]) -> int:
        """Add codes to the pool as unused; loading the same codes again changes nothing, and a code
        already given to a delivery is skipped. Returns how many of ``codes`` are unused now."""
        return self.load_codes(shop_id, pool, codes).loaded

    def load_codes(self, shop_id: str, pool: str, codes: Iterable[str]) -> PoolLoad:
        """``load_pool``, telling which codes were skipped because they were spent already."""
        unique = list(dict.fromkeys(code.strip() for code in codes if code.strip()))
        if unique:
            self._table.put({"pk": shop_id, "sk": f"{_POOL_PREFIX}{pool}", "pool": pool})
        loaded = 0
        spent: list[str] = []
        for start in range(0, len(unique), _LOAD_BATCH):
            loaded += self._load_batch(shop_id, pool, unique[start : start + _LOAD_BATCH], spent)
        return PoolLoad(loaded=loaded, spent=tuple(spent))

    def pools(self, shop_id: str) -> list[str]:
        """The names of the pools codes were ever loaded into, by name."""
        expr = Expression()
        items = self._table.query_all(
            expr, f"pk = {expr.value(shop_id)} AND begins_with(sk, {expr.value(_POOL_PREFIX)})"
        )
        return [str(item["pool"]) for item in items]

    def _load_batch(self, shop_id: str, pool: str, codes: list[str], spent_codes: list[str]) -> int:
        for _ in range(len(codes) + self._max_attempts):  # each lost round drops a spent code or retries
            if not codes:
                return 0
            actions: list[TransactWriteItemTypeDef] = []
            for code in codes:
                actions.append(
                    self._table.check_action(
                        shop_id, _coupon_sk(pool, "used", code), condition=f"attribute_not_exists({SK})"
                    )
                )
                actions.append(self._table.put_action(self._free_item(shop_id, pool, code), condition=None))
            reasons = self._table.transact(actions)
            if reasons is None:
                return len(codes)
            spent = {codes[index // 2] for index, code in enumerate(reasons) if code == _CONDITION_FAILED}
            spent_codes.extend(code for code in codes if code in spent)
            codes = [code for code in codes if code not in spent]
        raise ConflictError(
            f"クーポンプール {pool} を読み込めませんでした（同時に変更されています）",
            f"coupon pool {pool} could not be loaded (it keeps changing); try again",
        )

    def code_for(self, shop_id: str, pool: str, delivery_id: str) -> str:
        given = self._given(shop_id, pool, delivery_id)
        if given is not None:
            return given
        attempts = 0
        while attempts < self._max_attempts:
            candidates = self._free_codes(shop_id, pool)
            if not candidates:
                raise CouponPoolEmptyError(
                    f"クーポンプール {pool} に未使用のコードがありません（配信 {delivery_id}）",
                    f"coupon pool {pool} has no unused code left (delivery {delivery_id})",
                )
            self._rng.shuffle(candidates)
            for code in candidates[: self._max_attempts - attempts]:
                attempts += 1
                reasons = self._table.transact(self._give_actions(shop_id, pool, code, delivery_id))
                if reasons is None:
                    return code
                if reasons[1:2] == [_CONDITION_FAILED]:  # this delivery got a code meanwhile (a retry)
                    return self._given(shop_id, pool, delivery_id) or code
        raise ConflictError(
            f"クーポンプール {pool} のコードを確保できませんでした（混雑）。後で再試行します",
            f"could not take a code from coupon pool {pool} (contention); retry later",
        )

    def counts(self, shop_id: str, pool: str) -> tuple[int, int]:
        """(codes given, codes left) of the pool."""
        return self._count(shop_id, pool, "given"), self._count(shop_id, pool, "free")

    def _given(self, shop_id: str, pool: str, delivery_id: str) -> str | None:
        item = self._table.get(shop_id, _coupon_sk(pool, "given", delivery_id))
        return str(item["code"]) if item is not None else None

    def _free_codes(self, shop_id: str, pool: str) -> list[str]:
        expr = Expression()
        condition = (
            f"pk = {expr.value(shop_id)} AND begins_with(sk, {expr.value(_coupon_sk(pool, 'free', ''))})"
        )
        items, _ = self._table.query_page(expr, condition, limit=_CANDIDATES)
        return [str(item["code"]) for item in items]

    def _count(self, shop_id: str, pool: str, state: str) -> int:
        expr = Expression()
        prefix = _coupon_sk(pool, state, "")
        return self._table.count(
            expr, f"pk = {expr.value(shop_id)} AND begins_with(sk, {expr.value(prefix)})"
        )

    def _free_item(self, shop_id: str, pool: str, code: str) -> dict[str, Any]:
        return {"pk": shop_id, "sk": _coupon_sk(pool, "free", code), "pool": pool, "code": code}

    def _give_actions(
        self, shop_id: str, pool: str, code: str, delivery_id: str
    ) -> Sequence[TransactWriteItemTypeDef]:
        spent = {"pool": pool, "code": code, "delivery_id": delivery_id}
        return (
            self._table.delete_action(
                shop_id, _coupon_sk(pool, "free", code), condition=f"attribute_exists({SK})"
            ),
            self._table.put_action(
                {"pk": shop_id, "sk": _coupon_sk(pool, "given", delivery_id)} | spent,
                condition=f"attribute_not_exists({SK})",
            ),
            self._table.put_action(
                {"pk": shop_id, "sk": _coupon_sk(pool, "used", code)} | spent,
                condition=f"attribute_not_exists({SK})",
            ),
        )
