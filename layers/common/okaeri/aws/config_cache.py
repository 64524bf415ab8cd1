"""The pipeline's configuration, read once per warm container: ``CachedConfig`` in front of the
``config`` table's adapter, behind the same ``ports.ShopConfig``.

Two kinds of configuration, two rules:

- **A scenario or template version** (``scenario_version``, ``template`` with a version) never
  changes once saved: ``DynamoConfig`` writes ``<kind>#<id>#v<n>`` only if it does not exist and
  never updates or deletes it (a delete marks only the ``#current`` pointer). So a version read once
  is kept for the container's life, in a bounded LRU (``MAX_VERSIONS``). Only a version found is
  kept so: "no such version" is an answer of the moment, kept like the settings below.
- **What an operator edits in place** (the shop's settings, the active scenarios, the current
  template, the parse masks, the relays) is kept for ``CONFIG_TTL`` (one minute, measured on the
  injected clock): an edit reaches sending within that time, which the admin page tells the
  operator (the API exposes ``CONFIG_TTL_SECONDS``; relay credentials in Secrets Manager follow the
  same TTL, ``okaeri.aws.secrets``). Bounded too (``MAX_ENTRIES``, least recently used first out).

Counters are written, never cached: ``count`` goes straight through. The malls a shop receives
orders of (``record_mall_source``) are written once per container and (shop, mall, source): the
record is a set, so what this container wrote once needs no second write. Coupons have their own
adapter and are never cached. Only the pipeline functions (ingest, schedule, send and its
sweeper and SES events) are wired with this (``okaeri.wiring``); the admin API reads fresh, so
an operator sees their own edit at once.

The clock is the function's ``ports.Clock`` (the local stack's movable one, a test's fake): an
entry is fresh until ``fetched + CONFIG_TTL``. A stream batch or a burst of wake-ups of one shop
therefore reads each piece once. Cached documents are shared between callers: the services treat
them as read-only (they copy with ``model_copy`` to change one), and lists are handed out as copies.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Final, TypeVar

from okaeri.models import RelayConfig, Scenario, Shop, Template
from okaeri.ports import CONFIG_TTL_SECONDS, Clock, OnceCount, ShopConfig

__all__ = ["CONFIG_TTL", "CONFIG_TTL_SECONDS", "MAX_ENTRIES", "MAX_VERSIONS", "CachedConfig"]

CONFIG_TTL: Final = timedelta(seconds=CONFIG_TTL_SECONDS)
#: Scenario and template versions kept (a few KB each): every version a busy shop sends from.
MAX_VERSIONS: Final = 512
#: Settings entries kept (shop, active scenarios, current templates, masks, relays per shop).
MAX_ENTRIES: Final = 1024

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class _Timed:
    expires: datetime
    value: Any


class _Lru:
    """A bounded mapping, least recently used first out."""

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("a cache holds at least one entry")
        self._limit = limit
        self._items: OrderedDict[Hashable, Any] = OrderedDict()

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: Hashable) -> Any | None:
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key: Hashable, value: Any) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self._limit:
            self._items.popitem(last=False)

    def drop(self, key: Hashable) -> None:
        self._items.pop(key, None)


class CachedConfig:
    """``ports.ShopConfig`` that reads through ``inner`` and keeps what it read (see the module)."""

    def __init__(
        self,
        inner: ShopConfig,
        *,
        clock: Clock,
        ttl: timedelta = CONFIG_TTL,
        max_versions: int = MAX_VERSIONS,
        max_entries: int = MAX_ENTRIES,
    ) -> None:
        self._inner = inner
        self._clock = clock
        self._ttl = ttl
        self._versions = _Lru(max_versions)
        self._timed = _Lru(max_entries)
        self._recorded = _Lru(max_entries)  # (shop, mall, source) written by this container
        self._lock = threading.Lock()  # the local stack calls one function from more than one thread

    # --- edited in place: kept for the TTL -------------------------------------------------------

    def shop(self, shop_id: str) -> Shop | None:
        return self._fresh(("shop", shop_id), lambda: self._inner.shop(shop_id))

    def active_scenarios(self, shop_id: str) -> list[Scenario]:
        return list(self._fresh(("active_scenarios", shop_id), lambda: self._inner.active_scenarios(shop_id)))

    def masks(self, shop_id: str) -> list[Any]:
        return list(self._fresh(("masks", shop_id), lambda: self._inner.masks(shop_id)))

    def relays(self, shop_id: str) -> list[RelayConfig]:
        return list(self._fresh(("relays", shop_id), lambda: self._inner.relays(shop_id)))

    # --- versions: kept for good -----------------------------------------------------------------

    def scenario_version(self, shop_id: str, scenario_id: str, version: int) -> Scenario | None:
        return self._version(
            ("scenario", shop_id, scenario_id, version),
            lambda: self._inner.scenario_version(shop_id, scenario_id, version),
        )

    def template(self, shop_id: str, template_id: str, version: int | None = None) -> Template | None:
        """A version is kept for good; the current one (``version`` None) for the TTL, and also as
        the version it is."""
        if version is not None:
            return self._version(
                ("template", shop_id, template_id, version),
                lambda: self._inner.template(shop_id, template_id, version),
            )
        current = self._fresh(
            ("template", shop_id, template_id), lambda: self._inner.template(shop_id, template_id)
        )
        if current is not None:
            with self._lock:
                self._versions.put(("template", shop_id, template_id, current.version), current)
        return current

    # --- written: never cached -------------------------------------------------------------------

    def count(self, shop_id: str, *, day: date, scenario_id: str, step_id: str, counter: str) -> None:
        self._inner.count(shop_id, day=day, scenario_id=scenario_id, step_id=step_id, counter=counter)

    def count_once(self, shop_id: str, count: OnceCount) -> bool:
        return self._inner.count_once(shop_id, count)

    def take_back(self, shop_id: str, count: OnceCount) -> bool:
        return self._inner.take_back(shop_id, count)

    # --- noted once per container ----------------------------------------------------------------

    def record_mall_source(self, shop_id: str, mall: str, source: str) -> None:
        """Written through the first time this container sees (shop, mall, source), then never again:
        the record is a set, so a write it already holds changes nothing, and a steady stream of
        orders from known sources costs no call at all."""
        key = (shop_id, mall, source)
        with self._lock:
            if self._recorded.get(key) is not None:
                return
        self._inner.record_mall_source(shop_id, mall, source)
        with self._lock:
            self._recorded.put(key, True)

    # --- the two rules ---------------------------------------------------------------------------

    def _version(self, key: Hashable, read: Callable[[], T | None]) -> T | None:
        now = self._clock.now()
        with self._lock:
            kept = self._versions.get(key)
            absent = self._timed.get(key)
        if kept is not None:
            return kept  # type: ignore[no-any-return]
        if absent is not None and now < absent.expires:
            return None
        value = read()
        with self._lock:
            if value is None:  # "no such version" is true only for now: kept for the TTL
                self._timed.put(key, _Timed(now + self._ttl, None))
            else:
                self._versions.put(key, value)
        return value

    def _fresh(self, key: Hashable, read: Callable[[], T]) -> T:
        now = self._clock.now()
        with self._lock:
            kept = self._timed.get(key)
        if kept is not None and now < kept.expires:
            return kept.value  # type: ignore[no-any-return]
        value = read()
        with self._lock:
            self._timed.put(key, _Timed(now + self._ttl, value))
        return value
