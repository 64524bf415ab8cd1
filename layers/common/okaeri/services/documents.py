"""What the admin's use cases share about the shop's settings and its versioned documents (scenarios,
templates): the shop or a 404, the audit entry of an operator's write, and a kind of document.

A document id that cannot exist, a missing document or a missing version is a 404; a save is refused
when too large, and audited (``<kind>.create`` / ``<kind>.save``) only when it made a new version.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Protocol

from pydantic import BaseModel

from okaeri.errors import NotFoundError
from okaeri.models import Shop
from okaeri.models.admin import VersionInfo
from okaeri.models.scenario import ID_PATTERN
from okaeri.ports import Clock, Logs, ShopConfig
from okaeri.services.config_admin import check_document_size

ID_RE = re.compile(ID_PATTERN)


def shop_of(config: ShopConfig, shop_id: str) -> Shop:
    """The shop's settings; a 404 when the shop has none (a member of a shop not set up yet)."""
    shop = config.shop(shop_id)
    if shop is None:
        raise NotFoundError(
            f"ショップ {shop_id} の設定がまだありません。",
            f"shop {shop_id} has no settings yet.",
            code="shop_not_found",
        )
    return shop


def audit(logs: Logs, clock: Clock, shop_id: str, action: str, *, by: str, **detail: Any) -> None:
    """One audit entry (``action`` like ``scenario.save``), with ``by``: who did it."""
    logs.put_audit(shop_id, action=action, at=clock.now(), detail={**detail, "by": by})


class Document(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def version(self) -> int: ...


@dataclass(frozen=True)
class DocumentKind:
    """A kind of versioned document: ``name`` (``scenario``: audit actions, English messages) and
    ``ja`` (``シナリオ``)."""

    name: str
    ja: str

    def possible(self, doc_id: str) -> bool:
        """Whether ``doc_id`` may name a document at all (one that cannot is simply not found)."""
        return ID_RE.fullmatch(doc_id) is not None

    def not_found(self, doc_id: str, version: int | None = None) -> NotFoundError:
        if version is None:
            return NotFoundError(f"{self.ja} {doc_id} が見つかりません", f"{self.name} {doc_id} not found")
        return NotFoundError(
            f"{self.ja} {doc_id} に版 {version} はありません",
            f"{self.name} {doc_id} has no version {version}",
        )

    def versions(self, doc_id: str, versions: list[VersionInfo]) -> list[VersionInfo]:
        """The document's versions; a 404 when it has none."""
        if not versions:
            raise self.not_found(doc_id)
        return versions

    def check_size(self, document: BaseModel) -> None:
        check_document_size(document, what_ja=self.ja, what_en=self.name)

    def record_save(
        self,
        logs: Logs,
        clock: Clock,
        shop_id: str,
        saved: Document,
        previous: Document | None,
        *,
        by: str,
    ) -> bool:
        """Whether the save made a new version (then audited)."""
        changed = previous is None or saved.version != previous.version
        if changed:
            action = "create" if previous is None else "save"
            self.audit(logs, clock, shop_id, action, saved, by=by)
        return changed

    def audit(
        self,
        logs: Logs,
        clock: Clock,
        shop_id: str,
        action: str,
        document: Document,
        *,
        by: str,
        **detail: Any,
    ) -> None:
        """The audit entry ``<kind>.<action>`` (``scenario.activate``) naming the document and version."""
        audit(
            logs,
            clock,
            shop_id,
            f"{self.name}.{action}",
            by=by,
            **{self.name: document.id},
            version=document.version,
            **detail,
        )
