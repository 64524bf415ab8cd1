"""Who works in which shop, and as what: a role belongs to the pair (operator, shop).

The pairs live in one Cognito attribute, ``custom:shops``, as ``shop:role`` entries separated by
commas (``mikan-sanbo:owner,sakura-farm:staff``); Cognito copies it into the ID token, and the API
authorizes from that claim alone (``okaeri.api.auth``). Invitations an operator has not accepted yet
are the same kind of entries in ``custom:invitations``, which grants nothing and is not in the token.
Only the admin function writes either attribute (the page's app client may write ``email`` only).

An entry without a role (``mikan-sanbo``) is the format before roles were per shop, when one Cognito
group held for all of a user's shops: it reads as that group's role (``legacy_role``) until the
admin function next writes the attribute, which spells every entry out.

Pure and dependency-free: the API's token reader and the Cognito adapter read the same format.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Literal

Role = Literal["owner", "manager", "staff"]
ROLES: tuple[Role, ...] = ("staff", "manager", "owner")  # each may do what the ones before it may
ROLE_RANK: dict[str, int] = {role: rank for rank, role in enumerate(ROLES)}
SHOP_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")


def as_role(value: str | None) -> Role | None:
    for role in ROLES:
        if value == role:
            return role
    return None


def highest_role(groups: list[str] | set[str] | tuple[str, ...]) -> Role | None:
    """The highest role among Cognito groups (the format before roles were per shop)."""
    known = [role for role in ROLES if role in groups]
    return known[-1] if known else None


def parse_memberships(value: str | None, *, legacy_role: Role | None = None) -> dict[str, Role]:
    """``shop:role`` entries as a mapping, in their order; entries without a valid role or shop id are
    dropped (a bare ``shop`` takes ``legacy_role``, when there is one)."""
    memberships: dict[str, Role] = {}
    for entry in (part.strip() for part in (value or "").split(",")):
        shop, separator, written = entry.partition(":")
        shop = shop.strip()
        role = as_role(written.strip()) if separator else legacy_role
        if role is not None and SHOP_ID.fullmatch(shop) and shop not in memberships:
            memberships[shop] = role
    return memberships


def format_memberships(memberships: Mapping[str, str]) -> str:
    """The attribute's value: every entry spelled out as ``shop:role``."""
    return ",".join(f"{shop}:{role}" for shop, role in memberships.items())
