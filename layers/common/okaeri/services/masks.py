"""Parse masks (解析マスク) as operators keep them, and trying one on a mail before saving it.

Saving the same mask again changes nothing (and is not audited); a save and a delete are audited
(``mask.save``, ``mask.delete``). Trying a mask parses a mail with it and the built-in readers, as
ingest would: raw text, or a mail the shop received (a key outside the shop's own prefix is a 404);
the answer is the Order, or the refusal's reason and messages, and whether this mask read it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict

from okaeri.errors import NotFoundError, ParseError
from okaeri.models import Order
from okaeri.parsing import ParseMask, parse_mail
from okaeri.ports import AdminConfig, Clock, Logs, RawMail
from okaeri.services.config_admin import check_document_size, check_same_id
from okaeri.services.documents import audit, shop_of

MASK_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
_KEY_PART = re.compile(r"[^/\x00-\x1f\x7f]+")


class MaskTryAnswer(BaseModel):
    model_config = ConfigDict(defer_build=True)

    ok: bool
    used_mask: bool
    order: Order | None = None
    reason: str | None = None
    message_ja: str | None = None
    message_en: str | None = None


class MaskDeleted(BaseModel):
    model_config = ConfigDict(defer_build=True)

    name: str
    deleted: bool


@dataclass(frozen=True)
class MaskDeps:
    config: AdminConfig
    raw_mail: RawMail
    logs: Logs
    clock: Clock


def own_reception_key(shop_id: str, key: str) -> str:
    """``key`` if it names a mail under the shop's ``inbound/<shop_id>/`` prefix; a 404 otherwise."""
    prefix = f"inbound/{shop_id}/"
    parts = key.removeprefix(prefix).split("/")
    if not key.startswith(prefix) or not all(
        _KEY_PART.fullmatch(part) and part not in {".", ".."} for part in parts
    ):
        raise NotFoundError("その受信メールはありません", "no such received mail", code="reception_not_found")
    return key


def saved_mask(config: AdminConfig, shop_id: str, name: str) -> ParseMask:
    """The mask ``name``; a 404 when there is none (or the name cannot be one)."""
    mask = config.mask(shop_id, name) if MASK_NAME.fullmatch(name) else None
    if mask is None:
        raise NotFoundError(f"解析マスク {name} が見つかりません", f"parse mask {name} not found")
    return mask


def save_mask(deps: MaskDeps, shop_id: str, name: str, mask: ParseMask, *, by: str) -> ParseMask:
    check_same_id(mask.name, name, field="name")
    check_document_size(mask, what_ja="解析マスク", what_en="parse mask")
    if deps.config.mask(shop_id, name) != mask:
        deps.config.put_mask(shop_id, mask)
        audit(deps.logs, deps.clock, shop_id, "mask.save", by=by, mask=name)
    return mask


def delete_mask(deps: MaskDeps, shop_id: str, name: str, *, by: str) -> MaskDeleted:
    saved_mask(deps.config, shop_id, name)
    deps.config.delete_mask(shop_id, name)
    audit(deps.logs, deps.clock, shop_id, "mask.delete", by=by, mask=name)
    return MaskDeleted(name=name, deleted=True)


def try_mask(
    deps: MaskDeps, shop_id: str, mask: ParseMask, *, mail: str | None, reception_key: str | None
) -> MaskTryAnswer:
    """``mask`` on the raw ``mail``, or on the received mail ``reception_key``."""
    shop = shop_of(deps.config, shop_id)
    try:
        if reception_key is not None:
            raw = deps.raw_mail.get(own_reception_key(shop_id, reception_key))
        else:
            raw = (mail or "").encode("utf-8")
        order = parse_mail(raw, masks=[mask], timezone=shop.timezone)
    except ParseError as refusal:
        return MaskTryAnswer(
            ok=False,
            used_mask=False,
            reason=refusal.reason,
            message_ja=refusal.message_ja,
            message_en=refusal.message_en,
        )
    return MaskTryAnswer(ok=True, used_mask=order.source == f"mask:{mask.name}", order=order)
