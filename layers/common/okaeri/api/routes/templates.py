"""``/api/shops/<shop_id>/templates``: mail templates, versioned, checked on every save.

- Reading (staff): the current version of each, one (``?version=N``), its versions;
  ``POST /templates/preview`` renders a saved template or unsaved edits for a sample order (or the
  given one): subject, text and HTML of the PC variant and of the mobile variant (what a legacy
  carrier address gets: ``mobile_text`` or ``text`` as ISO-2022-JP plain text), with the message's
  headers. Coupon codes show as ``PREVIEW-<POOL>``: previews never take a code.
- Writing (manager): create (409 when the id exists), edit (a new version only when the content
  changed; planned deliveries keep the version they were planned with). A template that does not
  compile (``okaeri.rendering.check_template``: syntax, unknown tag…) or fails to render for the
  sample order (a sandbox escape, ``1 / 0``) is refused with 422, its code and reason in ``details``.
- ``POST /templates/<id>/test-send`` (manager): the template for the sample order, subject prefixed
  ``[テスト送信 / TEST]``, sent through SES to an operator's address (``Idempotency-Key`` makes a
  retried request send once).

A save answers the coupon pools the template hands out codes from (with what is left in each) and
the Rakuten template warnings (sale words, links) of the scenario steps that use it.
"""

from __future__ import annotations

from typing import Any, Self

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from pydantic import BaseModel, ConfigDict, Field, model_validator

from okaeri.api.common import MANAGER, SHOP_PATH, STAFF, IdempotencyKey, once, shop_caller
from okaeri.api.deps import AdminDeps
from okaeri.api.responses import error_response, json_response
from okaeri.api.support import answers, operator
from okaeri.api.versioned import Version, create_once
from okaeri.errors import TransportError
from okaeri.mail_address import MailAddress
from okaeri.models import Order, Template
from okaeri.models.admin import VersionInfo
from okaeri.services import templates
from okaeri.services.previews import TemplatePreview
from okaeri.services.templates import TemplateDeps, TemplateSaveAnswer, TestSendAnswer

TAGS = ["templates"]


class PreviewBody(BaseModel):
    """A saved template (``template_id``, optionally ``version``) or unsaved edits (``template``)."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    template: Template | None = None
    template_id: str | None = Field(default=None, max_length=64)
    version: int | None = Field(default=None, ge=1, le=1_000_000)
    order: Order | None = None
    advertising: bool | None = Field(
        default=None, description="with the legal footer; default: as the shop's scenarios use it"
    )
    order_count: int = Field(default=1, ge=1, le=100_000)

    @model_validator(mode="after")
    def _one_template(self) -> Self:
        if (self.template is None) == (self.template_id is None):
            raise ValueError(
                "template か template_id のどちらか一方を指定してください / give either template or template_id"
            )
        return self


class TestSendBody(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")

    to: MailAddress = Field(description="the operator's address")
    version: int | None = Field(default=None, ge=1, le=1_000_000)
    advertising: bool | None = None


def template_deps(deps: AdminDeps) -> TemplateDeps:
    return TemplateDeps(
        config=deps.config,
        coupons=deps.coupons,
        logs=deps.logs,
        ses=deps.ses,
        clock=deps.clock,
        unsubscribe_secret=deps.unsubscribe_secret,
    )


def register(app: APIGatewayHttpResolver, deps: AdminDeps) -> None:
    service = template_deps(deps)
    _register_reads(app, deps)
    _register_writes(app, deps, service)
    _register_mail(app, deps, service)


def _register_reads(app: APIGatewayHttpResolver, deps: AdminDeps) -> None:
    @app.get(
        f"{SHOP_PATH}/templates", tags=TAGS, summary="テンプレート一覧 / templates", openapi_extensions=STAFF
    )
    def list_templates(shop_id: str) -> list[Template]:
        shop_caller(app, shop_id)
        return deps.config.templates(shop_id)

    @app.get(
        f"{SHOP_PATH}/templates/<template_id>",
        tags=TAGS,
        summary="テンプレート / a template",
        openapi_extensions=STAFF,
    )
    def get_template(shop_id: str, template_id: str, version: Version = None) -> Template:
        shop_caller(app, shop_id)
        return templates.template_at(deps.config, shop_id, template_id, version)

    @app.get(
        f"{SHOP_PATH}/templates/<template_id>/versions",
        tags=TAGS,
        summary="テンプレートの版 / a template's versions",
        openapi_extensions=STAFF,
    )
    def template_versions(shop_id: str, template_id: str) -> list[VersionInfo]:
        shop_caller(app, shop_id)
        return templates.template_versions(deps.config, shop_id, template_id)


def _register_writes(app: APIGatewayHttpResolver, deps: AdminDeps, service: TemplateDeps) -> None:
    @app.post(
        f"{SHOP_PATH}/templates",
        tags=TAGS,
        summary="テンプレートの作成 / create a template",
        openapi_extensions=MANAGER,
        responses=answers(TemplateSaveAnswer, 201),
    )
    def create_template(
        shop_id: str, body: Template, idempotency_key: IdempotencyKey = None
    ) -> Response[Any]:
        caller = shop_caller(app, shop_id)
        return create_once(
            app,
            deps,
            shop_id,
            caller,
            lambda: templates.create_template(service, shop_id, body, by=operator(caller)),
        )

    @app.put(
        f"{SHOP_PATH}/templates/<template_id>",
        tags=TAGS,
        summary="テンプレートの保存（新しい版） / save a template (a new version)",
        openapi_extensions=MANAGER,
    )
    def put_template(shop_id: str, template_id: str, body: Template) -> TemplateSaveAnswer:
        caller = shop_caller(app, shop_id)
        return templates.save_template(service, shop_id, template_id, body, by=operator(caller))


def _register_mail(app: APIGatewayHttpResolver, deps: AdminDeps, service: TemplateDeps) -> None:
    @app.post(
        f"{SHOP_PATH}/templates/preview",
        tags=TAGS,
        summary="プレビュー（PC・携帯） / preview (PC and mobile)",
        openapi_extensions=STAFF,
    )
    def preview(shop_id: str, body: PreviewBody) -> TemplatePreview:
        shop_caller(app, shop_id)
        return templates.preview(
            service,
            shop_id,
            edited=body.template,
            template_id=body.template_id,
            version=body.version,
            order=body.order,
            advertising=body.advertising,
            order_count=body.order_count,
        )

    @app.post(
        f"{SHOP_PATH}/templates/<template_id>/test-send",
        tags=TAGS,
        summary="テスト送信 / send a test mail",
        openapi_extensions=MANAGER,
        responses=answers(TestSendAnswer),
    )
    def test_send(
        shop_id: str, template_id: str, body: TestSendBody, idempotency_key: IdempotencyKey = None
    ) -> Response[Any]:
        caller = shop_caller(app, shop_id)

        def send() -> Response[Any]:
            try:
                answer = templates.send_test_mail(
                    service,
                    shop_id,
                    template_id,
                    to=body.to,
                    version=body.version,
                    advertising=body.advertising,
                    by=operator(caller),
                )
            except TransportError as exc:
                if not exc.retryable:
                    raise
                return error_response(503, exc.code, exc.message_ja, exc.message_en)
            return json_response(200, answer)

        return once(app, deps, shop_id, caller, send)
