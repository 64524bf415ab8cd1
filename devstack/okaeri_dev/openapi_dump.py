"""``python -m okaeri_dev.openapi_dump [PATH]``: the admin API's OpenAPI document, offline.

The admin page's TypeScript types are generated from a committed snapshot of the document
(``web/src/api/openapi.json``, then ``openapi-typescript`` makes ``web/src/api/schema.d.ts``;
``make api-types`` runs both), so a fresh clone builds the page without a server or AWS. This
builds the resolver with every route on placeholder dependencies (the document does not read
them: a route that did would fail here, loudly) and asks it for ``/api/openapi.json`` as API
Gateway would. ``tests/integration/api/test_openapi_snapshot.py`` fails when the snapshot and the
document the API serves drift apart. Next to the snapshot it writes the field lists the page offers
(``fields.json``, ``okaeri_dev.page_fields``).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, NoReturn, cast

from functions.admin.handler import handle
from okaeri.api import build_api
from okaeri.api.deps import AdminDeps
from okaeri_dev.apigw import http_event
from okaeri_dev.page_fields import NAME, page_fields_text

#: Where the snapshot lives (the page's sources), relative to the repository.
SNAPSHOT = Path("web/src/api/openapi.json")


class _Offline:
    """Stands in for every dependency: building the routes may hold on to it, not use it."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, name: str) -> _Offline:
        if name.startswith("__"):
            raise AttributeError(name)
        return _Offline(f"{self._name}.{name}")

    def __call__(self, *args: object, **kwargs: object) -> NoReturn:
        raise RuntimeError(f"{self._name} was called while dumping the OpenAPI document offline")


def served_document() -> dict[str, Any]:
    """The document as the admin API serves it at ``/api/openapi.json``."""
    app = build_api(cast(AdminDeps, _Offline("deps")))
    answer = handle(http_event("GET", "/api/openapi.json"), app)
    if answer["statusCode"] != 200:
        raise RuntimeError(f"/api/openapi.json answered {answer['statusCode']}: {answer.get('body')}")
    return cast(dict[str, Any], json.loads(answer["body"]))


def snapshot_text(document: dict[str, Any]) -> str:
    """The snapshot's exact text: stable, readable in a diff, Japanese left as it is."""
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def main(argv: list[str]) -> int:
    target = Path(argv[0]) if argv else SNAPSHOT
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(snapshot_text(served_document()), encoding="utf-8")
    fields = target.with_name(NAME)
    fields.write_text(page_fields_text(), encoding="utf-8")
    print(f"wrote {target} and {fields}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
