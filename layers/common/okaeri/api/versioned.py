"""What the routes of the versioned documents (scenarios, templates) share.

A document id that cannot exist, a missing document or a missing version is a 404; a create answers
201, once per ``Idempotency-Key``; a save is refused when too large, and audited
(``<kind>.create`` / ``<kind>.save``) only when it made a new version.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Protocol

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Query
from pydantic import BaseModel

from okaeri.api.auth import Caller
from okaeri.api.common import once
from okaeri.api.deps import AdminDeps
from okaeri.api.responses import json_response
from okaeri.api.support import audit
from okaeri.aws.config import VersionInfo
from okaeri.errors import NotFoundError
from okaeri.models.scenario import ID_PATTERN
from okaeri.services.config_admin import check_document_size

ID_RE = re.compile(ID_PATTERN)
Version = Annotated[int | None, Query(ge=1, le=1_000_000, description="an older version / 過去の版")]


class Document(Protocol):
    @property
    def id(self) -> str: ...

    @property
    def version(self) -> int: ...


@dataclass(frozen=True)
class DocumentKind:
    """A kind of versioned document as the routes name it: ``name`` (``scenario``: audit actions,
    English messages) and ``ja`` (``シナリオ``)."""

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
        self, deps: AdminDeps, shop_id: str, caller: Caller, saved: Document, previous: Document | None
    ) -> bool:
        """Whether the save made a new version (then audited)."""
        changed = previous is None or saved.version != previous.version
        if changed:
            action = f"{self.name}.create" if previous is None else f"{self.name}.save"
            audit(deps, shop_id, caller, action, **{self.name: saved.id}, version=saved.version)
        return changed


def create_once(
    app: APIGatewayHttpResolver,
    deps: AdminDeps,
    shop_id: str,
    caller: Caller,
    save: Callable[[], BaseModel],
) -> Response[Any]:
    """A create: ``save`` answered with 201, once per ``Idempotency-Key``."""
    return once(app, deps, shop_id, caller, lambda: json_response(201, save()))
