"""``/api/shops/<shop>/customers`` and ``/suppressions``: buyers, opting them out, erasing their data.

Reading is for staff; unsubscribing a customer and the suppression list are for managers (lifting
an opt-out, a bounce or a complaint for owners: see ``okaeri.services.erasure``); erasing a
customer's personal data (個人情報保護法) is for owners, confirmed by typing the customer's address.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Query
from pydantic import BaseModel, ConfigDict, Field

from okaeri.api.common import (
    DEFAULT_PAGE_LIMIT,
    MANAGER,
    OWNER,
    SHOP_PATH,
    STAFF,
    Cursor,
    IdempotencyKey,
    Limit,
    once,
    shop_caller,
)
from okaeri.api.deps import AdminDeps
from okaeri.api.pagination import Page
from okaeri.api.responses import json_response
from okaeri.api.support import act_on, answers, operations, operator, paged, path_id
from okaeri.identity import normalise_address
from okaeri.mail_address import MAX_ADDRESS_CHARS, MailAddress
from okaeri.models import CustomerRecord
from okaeri.models.admin import Suppression
from okaeri.services import erasure
from okaeri.services.operations import search_customers

CUSTOMERS = f"{SHOP_PATH}/customers"
ONE = f"{CUSTOMERS}/<customer_id>"
CUSTOMER = ("お客様", "Customer")
SUPPRESSIONS = f"{SHOP_PATH}/suppressions"


class EraseBody(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")

    confirm: str = Field(
        min_length=3,
        max_length=MAX_ADDRESS_CHARS,
        description="お客様のメールアドレス / the customer's email address",
    )


class SuppressBody(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")

    address: MailAddress
    reason: Literal["manual"] = "manual"


class SuppressionAnswer(BaseModel):
    model_config = ConfigDict(defer_build=True)

    address: str
    reason: str
    added: bool = Field(description="今回追加したか / whether this request added it")


class Lifted(BaseModel):
    model_config = ConfigDict(defer_build=True)

    address: str
    reason: str = Field(description="解除した配信停止の理由 / the reason that was lifted")


def register(app: APIGatewayHttpResolver, deps: AdminDeps) -> None:
    ops = operations(deps)

    def act(shop_id: str, customer_id: str, action: Callable[[str, str], BaseModel]) -> Response[Any]:
        return act_on(app, deps, shop_id, raw_id=customer_id, what=CUSTOMER, action=action)

    @app.get(
        CUSTOMERS, tags=["customers"], summary="お客様の検索 / search customers", openapi_extensions=STAFF
    )
    def list_customers(
        shop_id: str,
        q: Annotated[str | None, Query(max_length=100, description="name or email")] = None,
        limit: Limit = DEFAULT_PAGE_LIMIT,
        cursor: Cursor = None,
    ) -> Page[CustomerRecord]:
        shop_caller(app, shop_id)
        text = q.strip() if q and q.strip() else None
        return paged(
            shop_id, cursor, lambda start: search_customers(ops, shop_id, q=text, limit=limit, start=start)
        )

    @app.get(
        ONE,
        tags=["customers"],
        summary="お客様と注文・配信 / a customer, their orders and mails",
        openapi_extensions=STAFF,
    )
    def get_one(shop_id: str, customer_id: str) -> erasure.CustomerDetail:
        shop_caller(app, shop_id)
        return erasure.customer_detail(ops, shop_id, path_id(customer_id, *CUSTOMER))

    @app.post(
        f"{ONE}/unsubscribe",
        tags=["customers"],
        summary="お客様を配信停止にする / stop mailing a customer",
        openapi_extensions=MANAGER,
        responses=answers(erasure.CustomerStatus),
    )
    def unsubscribe(shop_id: str, customer_id: str, idempotency_key: IdempotencyKey = None) -> Response[Any]:
        return act(shop_id, customer_id, lambda one, by: erasure.unsubscribe(ops, shop_id, one, by=by))

    @app.post(
        f"{ONE}/erase",
        tags=["customers"],
        summary="お客様の個人情報を消去（個人情報保護法） / erase a customer's personal data",
        openapi_extensions=OWNER,
        responses=answers(erasure.ErasureResult),
    )
    def erase(
        shop_id: str, customer_id: str, body: EraseBody, idempotency_key: IdempotencyKey = None
    ) -> Response[Any]:
        return act(
            shop_id,
            customer_id,
            lambda one, by: erasure.erase(ops, shop_id, one, confirm=body.confirm, by=by),
        )

    @app.get(
        SUPPRESSIONS,
        tags=["suppressions"],
        summary="配信停止リスト / the suppression list",
        openapi_extensions=STAFF,
    )
    def list_suppressions(
        shop_id: str, limit: Limit = DEFAULT_PAGE_LIMIT, cursor: Cursor = None
    ) -> Page[Suppression]:
        shop_caller(app, shop_id)
        return paged(
            shop_id, cursor, lambda start: deps.customers.suppressions(shop_id, limit=limit, start=start)
        )

    @app.post(
        SUPPRESSIONS,
        tags=["suppressions"],
        summary="アドレスを配信停止にする / suppress an address",
        openapi_extensions=MANAGER,
        responses=answers(SuppressionAnswer),
    )
    def add_suppression(
        shop_id: str, body: SuppressBody, idempotency_key: IdempotencyKey = None
    ) -> Response[Any]:
        caller = shop_caller(app, shop_id)

        def add() -> Response[Any]:
            reason, added = erasure.add_suppression(ops, shop_id, body.address, by=operator(caller))
            answer = SuppressionAnswer(address=normalise_address(body.address), reason=reason, added=added)
            return json_response(201 if added else 200, answer)

        return once(app, deps, shop_id, caller, add)

    @app.delete(
        f"{SUPPRESSIONS}/<address>",
        tags=["suppressions"],
        summary="配信停止を解除（手動分。その他はオーナー） / lift a suppression (manual; others: owner)",
        openapi_extensions=MANAGER,
    )
    def remove_suppression(shop_id: str, address: str) -> Lifted:
        caller = shop_caller(app, shop_id)
        listed = path_id(address, "アドレス", "Address")
        reason = erasure.remove_suppression(
            ops, shop_id, listed, owner=caller.may(shop_id, "owner"), by=operator(caller)
        )
        return Lifted(address=normalise_address(listed), reason=reason)
