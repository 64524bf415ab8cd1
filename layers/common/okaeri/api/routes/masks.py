"""``/api/shops/<shop_id>/masks``: parse masks (解析マスク), and trying one on a mail before saving it.

- ``GET /masks`` (staff); ``PUT /masks/<name>`` (manager) saves a mask (the body's ``name`` must be
  the path's; saving the same mask again changes nothing); ``DELETE /masks/<name>`` (manager).
- ``POST /masks/try`` (staff): parse a mail with the mask (and the built-in readers, as ingest
  would): ``{"mask", "mail": raw mail text}`` or ``{"mask", "reception_key": "inbound/<shop>/…"}``
  for a mail the shop received (a key outside the shop's own prefix is a 404). The answer is the
  Order, or the refusal's ``reason`` and messages; ``used_mask`` says whether this mask read it.
"""

from __future__ import annotations

from typing import Self

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from pydantic import BaseModel, ConfigDict, Field, model_validator

from okaeri.api.common import MANAGER, SHOP_PATH, STAFF, shop_caller
from okaeri.api.deps import AdminDeps
from okaeri.api.support import operator
from okaeri.parsing import MAX_MAIL_BYTES, ParseMask
from okaeri.services import masks
from okaeri.services.masks import MaskDeleted, MaskDeps, MaskTryAnswer

TAGS = ["masks"]
MAX_KEY = 1024


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


def register(app: APIGatewayHttpResolver, deps: AdminDeps) -> None:
    service = MaskDeps(config=deps.config, raw_mail=deps.raw_mail, logs=deps.logs, clock=deps.clock)

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
        return masks.save_mask(service, shop_id, name, body, by=operator(caller))

    @app.delete(
        f"{SHOP_PATH}/masks/<name>",
        tags=TAGS,
        summary="解析マスクの削除 / delete a parse mask",
        openapi_extensions=MANAGER,
    )
    def delete_mask(shop_id: str, name: str) -> MaskDeleted:
        caller = shop_caller(app, shop_id)
        return masks.delete_mask(service, shop_id, name, by=operator(caller))

    @app.post(
        f"{SHOP_PATH}/masks/try",
        tags=TAGS,
        summary="解析マスクを試す / try a mask on a mail",
        openapi_extensions=STAFF,
    )
    def try_mask(shop_id: str, body: MaskTry) -> MaskTryAnswer:
        shop_caller(app, shop_id)
        return masks.try_mask(service, shop_id, body.mask, mail=body.mail, reception_key=body.reception_key)
