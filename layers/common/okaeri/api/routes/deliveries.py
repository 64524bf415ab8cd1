"""``/api/shops/<shop>/deliveries``: search the shop's mails, see one as it will be sent, act on it.

Staff may stop, reschedule, resend or drop a mail; editing its subject or text needs a manager.
Every action accepts an ``Idempotency-Key`` (a retried request does it once) and is audited.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Protocol

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.event_handler.openapi.types import OpenAPIResponse
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from okaeri.api.common import (
    DEFAULT_PAGE_LIMIT,
    MANAGER,
    SHOP_PATH,
    STAFF,
    Cursor,
    IdempotencyKey,
    Limit,
    parse_day,
    shop_caller,
)
from okaeri.api.deps import AdminDeps
from okaeri.api.pagination import Page
from okaeri.api.support import act_on, operations, paged, path_id
from okaeri.models import Delivery, DeliveryStatus
from okaeri.services import delivery_actions
from okaeri.services.operations import (
    DeliveryDetail,
    DeliveryFilter,
    DeliveryRow,
    OperationsDeps,
    delivery_detail,
    search_deliveries,
)

TAGS = ["deliveries"]
DELIVERY = ("配信", "Delivery")
MAX_SUBJECT = 200
MAX_TEXT = 20_000
DELIVERIES = f"{SHOP_PATH}/deliveries"
ONE = f"{DELIVERIES}/<delivery_id>"
#: What an action answers: the delivery as it is now (the same answer when asked again).
ANSWER: dict[int, OpenAPIResponse] = {
    200: {
        "description": "the delivery now / 現在の配信",
        "content": {"application/json": {"model": Delivery}},
    }
}


class PlainAction(Protocol):
    def __call__(self, deps: OperationsDeps, shop_id: str, delivery_id: str, *, by: str) -> Delivery: ...


class RescheduleBody(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")

    send_at: AwareDatetime = Field(
        description="新しい送信日時（タイムゾーン付き） / the new send time, with its zone"
    )


class EditBody(BaseModel):
    """The operator's subject and/or text of this one mail; ``null`` goes back to the template's."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    subject: str | None = Field(default=None, min_length=1, max_length=MAX_SUBJECT)
    text: str | None = Field(default=None, min_length=1, max_length=MAX_TEXT)

    @model_validator(mode="after")
    def _something(self) -> EditBody:
        if not self.model_fields_set:
            raise ValueError("subject か text を指定してください / give subject or text")
        return self

    def changes(self) -> dict[str, str | None]:
        return {name: getattr(self, name) for name in sorted(self.model_fields_set)}


def register(app: APIGatewayHttpResolver, deps: AdminDeps) -> None:
    ops = operations(deps)

    @app.get(
        DELIVERIES,
        tags=TAGS,
        summary="配信の検索（送信日時の新しい順） / search mails, latest send time first",
        openapi_extensions=STAFF,
    )
    def list_deliveries(
        shop_id: str,
        *,
        day_from: Annotated[str | None, Query(alias="from", max_length=10)] = None,
        to: Annotated[str | None, Query(max_length=10)] = None,
        status: Annotated[DeliveryStatus | None, Query()] = None,
        scenario: Annotated[str | None, Query(max_length=64, pattern=r"^[0-9A-Za-z][0-9A-Za-z_.-]*$")] = None,
        q: Annotated[str | None, Query(max_length=100, description="customer name or email")] = None,
        limit: Limit = DEFAULT_PAGE_LIMIT,
        cursor: Cursor = None,
    ) -> Page[DeliveryRow]:
        shop_caller(app, shop_id)
        wanted = DeliveryFilter(
            day_from=parse_day(day_from, "from"),
            day_to=parse_day(to, "to"),
            status=status,
            scenario_id=scenario,
            q=q.strip() if q and q.strip() else None,
        )
        return paged(
            shop_id, cursor, lambda start: search_deliveries(ops, shop_id, wanted, limit=limit, start=start)
        )

    @app.get(
        ONE,
        tags=TAGS,
        summary="配信と送信される内容 / a mail and what it says",
        openapi_extensions=STAFF,
    )
    def get_delivery(shop_id: str, delivery_id: str) -> DeliveryDetail:
        shop_caller(app, shop_id)
        return delivery_detail(ops, shop_id, path_id(delivery_id, *DELIVERY))

    def act(shop_id: str, delivery_id: str, action: Callable[[str, str], Delivery]) -> Response[Any]:
        return act_on(app, deps, shop_id, raw_id=delivery_id, what=DELIVERY, action=action)

    def staff_action(name: str, summary: str, action: PlainAction) -> None:
        """``POST <delivery>/<name>``: a staff action without a body (``stop``, ``resend``, ``drop``)."""

        def handler(shop_id: str, delivery_id: str, idempotency_key: IdempotencyKey = None) -> Response[Any]:
            return act(shop_id, delivery_id, lambda one, by: action(ops, shop_id, one, by=by))

        handler.__name__ = name  # the OpenAPI operation id
        app.post(f"{ONE}/{name}", tags=TAGS, summary=summary, openapi_extensions=STAFF, responses=ANSWER)(
            handler
        )

    staff_action("stop", "配信を停止 / stop a mail", delivery_actions.stop)
    staff_action("resend", "送信不明の配信を再送 / send an unknown mail again", delivery_actions.resend)
    staff_action("drop", "送信不明の配信を破棄 / drop an unknown mail", delivery_actions.drop)

    @app.post(
        f"{ONE}/reschedule",
        tags=TAGS,
        summary="送信日時を変更 / move a mail",
        openapi_extensions=STAFF,
        responses=ANSWER,
    )
    def reschedule(
        shop_id: str, delivery_id: str, body: RescheduleBody, idempotency_key: IdempotencyKey = None
    ) -> Response[Any]:
        return act(
            shop_id,
            delivery_id,
            lambda one, by: delivery_actions.reschedule(ops, shop_id, one, send_at=body.send_at, by=by),
        )

    @app.patch(
        ONE,
        tags=TAGS,
        summary="件名・本文を編集 / edit a mail's subject or text",
        openapi_extensions=MANAGER,
        responses=ANSWER,
    )
    def edit(
        shop_id: str, delivery_id: str, body: EditBody, idempotency_key: IdempotencyKey = None
    ) -> Response[Any]:
        return act(
            shop_id,
            delivery_id,
            lambda one, by: delivery_actions.edit(ops, shop_id, one, changes=body.changes(), by=by),
        )
