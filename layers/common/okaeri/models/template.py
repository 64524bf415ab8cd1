"""Mail templates as shop staff write them (Jinja2 or seed-style @tags@)."""

from __future__ import annotations

from pydantic import Field

from okaeri.models.base import ConfigModel
from okaeri.models.scenario import ID_PATTERN

MAX_TEMPLATE_CHARS = 100_000


class Template(ConfigModel):
    id: str = Field(pattern=ID_PATTERN)
    name: str = ""
    version: int = Field(default=1, ge=1)
    subject: str = Field(min_length=1, max_length=1_000)
    text: str = Field(min_length=1, max_length=MAX_TEMPLATE_CHARS)
    html: str | None = Field(default=None, max_length=MAX_TEMPLATE_CHARS)
    mobile_text: str | None = Field(default=None, max_length=MAX_TEMPLATE_CHARS)
