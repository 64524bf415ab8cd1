"""``/api/shops/<shop_id>/masks``: parse masks (解析マスク), and trying one on a mail before saving it.

- ``GET /masks`` (staff); ``PUT /masks/<name>`` (manager) saves a mask (the body's ``name`` must be
  the path's; saving the same mask again changes nothing); ``DELETE /masks/<name>`` (manager).
- ``POST /masks/try`` (staff): parse a mail with the mask (and the built-in readers, as ingest
  would): ``{"mask", "mail": raw mail text}`` or ``{"mask", "reception_key": "inbound/<shop>/…"}``
  for a mail the shop received (a key outside the shop's own prefix is a 404). The answer is the
  Order, or the refusal's ``reason`` and messages; ``used_mask`` says whether this mask read it.
"""

from __future__ import annotations

import re
from typing import Self

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from pydantic import BaseModel, ConfigDict, Field, model_validator

from okaeri.api.common import MANAGER, SHOP_PATH, STAFF, shop_caller
from okaeri.api.deps import AdminDeps
from okaeri.api.support import audit
from okaeri.errors import NotFoundError, ParseError
from okaeri.models import Order
from okaeri.parsing import MAX_MAIL_BYTES, ParseMask, parse_mail
from okaeri.services.config_admin import check_document_size, check_same_id
from okaeri.services.operations import shop_of

TAGS = ["masks"]
MASK_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
MAX_KEY = 1024
_KEY_PART = re.compile(r"[^/\x00-\x1f\x7f]+")


class MaskTry(BaseModel):
    """A mask (saved or not) and the mail to try it on: its raw text, or a received mail's key."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    mask: ParseMask
    mail: str | None = Field(default=None, min_length=1, max_length=MAX_MAIL_BYTES)
    reception_key: str | None = Field(default=None, min_length=1, max_length=MAX_KEY)

    @model_validator(mode="after")
    def _one_mail(self) -> Self:
        if (self.mail is None) == (self.reception_key is None):
            raise ValueError(
                "mail か reception_key のどちらか一方を指定してください / give either mail or reception_key"
            )
        return self


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


def own_reception_key(shop_id: str, key: str) -> str:
    """``key`` if it names a mail under the shop's ``inbound/<shop_id>/`` prefix; a 404 otherwise."""
    prefix = f"inbound/{shop_id}/"
    parts = key.removeprefix(prefix).split("/")
    if not key.startswith(prefix) or not all(
        _KEY_PART.fullmatch(part) and part not in {".", ".."} for part in parts
    ):
        raise NotFoundError("その受信メールはありません", "no such received mail", code="reception_not_found")
    return key


def register(app: APIGatewayHttpResolver, deps: AdminDeps) -> None:
    def existing(shop_id: str, name: str) -> ParseMask:
        mask = deps.config.mask(shop_id, name) if MASK_NAME.fullmatch(name) else None
        if mask is None:
            raise NotFoundError(f"解析マスク {name} が見つかりません", f"parse mask {name} not found")
        return mask

    @app.get(
        f"{SHOP_PATH}/masks", tags=TAGS, summary="解析マスク一覧 / parse masks", openapi_extensions=STAFF
    )
    def list_masks(shop_id: str) -> list[ParseMask]:
        shop_caller(app, shop_id)
        return deps.config.masks(shop_id)

    @app.put(
        f"{SHOP_PATH}/masks/<name>",
        tags=TAGS,
        summary="解析マスクの保存 / save a parse mask",
        openapi_extensions=MANAGER,
    )
    def put_mask(shop_id: str, name: str, body: ParseMask) -> ParseMask:
        caller = shop_caller(app, shop_id)
        check_same_id(body.name, name, field="name")
        check_document_size(body, what_ja="解析マスク", what_en="parse mask")
        if deps.config.mask(shop_id, name) != body:
            deps.config.put_mask(shop_id, body)
            audit(deps, shop_id, caller, "mask.save", mask=name)
        return body

    @app.delete(
        f"{SHOP_PATH}/masks/<name>",
        tags=TAGS,
        summary="解析マスクの削除 / delete a parse mask",
        openapi_extensions=MANAGER,
    )
    def delete_mask(shop_id: str, name: str) -> MaskDeleted:
        caller = shop_caller(app, shop_id)
        existing(shop_id, name)
        deps.config.delete_mask(shop_id, name)
        audit(deps, shop_id, caller, "mask.delete", mask=name)
        return MaskDeleted(name=name, deleted=True)

    @app.post(
        f"{SHOP_PATH}/masks/try",
        tags=TAGS,
        summary="解析マスクを試す / try a mask on a mail",
        openapi_extensions=STAFF,
    )
    def try_mask(shop_id: str, body: MaskTry) -> MaskTryAnswer:
        shop_caller(app, shop_id)
        shop = shop_of(deps.config, shop_id)
        try:
            if body.reception_key is not None:
                raw = deps.raw_mail.get(own_reception_key(shop_id, body.reception_key))
            else:
                raw = (body.mail or "").encode("utf-8")
            order = parse_mail(raw, masks=[body.mask], timezone=shop.timezone)
        except ParseError as refusal:
            return MaskTryAnswer(
                ok=False,
                used_mask=False,
                reason=refusal.reason,
                message_ja=refusal.message_ja,
                message_en=refusal.message_en,
            )
        return MaskTryAnswer(ok=True, used_mask=order.source == f"mask:{body.mask.name}", order=order)
