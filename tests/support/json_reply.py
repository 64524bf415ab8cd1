"""What the tests read of an admin API answer's body, in process or over the local stack's gateway."""

from __future__ import annotations

import json
from typing import Any


class JsonReply:
    """An answer's body as JSON, and the code of the API's error shape (``{"error": {"code": …}}``)."""

    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def error_code(self) -> str | None:
        try:
            return str(self.json()["error"]["code"])
        except (ValueError, KeyError, TypeError):
            return None
