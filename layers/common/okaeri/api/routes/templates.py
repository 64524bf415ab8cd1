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

from okaeri.api.auth import Caller
from okaeri.api.common import MANAGER, SHOP_PATH, STAFF, IdempotencyKey, once, shop_caller
from okaeri.api.deps import AdminDeps
from okaeri.api.responses import error_response, json_response
from okaeri.api.routes.coupons import PoolCount
from okaeri.api.support import answers, audit
from okaeri.api.versioned import DocumentKind, Version, create_once
from okaeri.aws.config import VersionInfo
from okaeri.compliance import lint_scenario
from okaeri.errors import TemplateError, TransportError
from okaeri.mail_address import MailAddress
from okaeri.models import Finding, Order, Shop, Template
from okaeri.rendering import check_template
from okaeri.samples import sample_order
from okaeri.services.config_admin import (
    TEMPLATE_SAVED_EN,
    TEMPLATE_SAVED_JA,
    UNCHANGED_EN,
    UNCHANGED_JA,
    TemplateRefused,
    check_same_id,
)
from okaeri.services.operations import shop_of
from okaeri.services.previews import (
    TemplatePreview,
    advertising_template,
    operator_test_mail,
    preview_template,
)

TAGS = ["templates"]
TEMPLATE = DocumentKind("template", "テンプレート")
#: The lint rules that read a template's words (the others read the scenario and the shop).
TEMPLATE_RULES = frozenset({"rakuten.sale_words", "rakuten.item_links"})


class TemplateSaveAnswer(BaseModel):
    model_config = ConfigDict(defer_build=True)

    id: str
    version: int
    changed: bool
    pools: list[PoolCount]
    findings: list[Finding]
    message_ja: str
    message_en: str


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


class TestSendAnswer(BaseModel):
    model_config = ConfigDict(defer_build=True)

    template_id: str
    version: int
    to: str
    subject: str
    mobile: bool
    message_id: str


def _at_version(deps: AdminDeps, shop_id: str, template_id: str, version: int | None = None) -> Template:
    template = deps.config.template(shop_id, template_id, version) if TEMPLATE.possible(template_id) else None
    if template is None:
        raise TEMPLATE.not_found(template_id, version)
    return template


def _compiled(template: Template) -> list[str]:
    try:
        return check_template(template)
    except TemplateError as exc:
        raise TemplateRefused(exc) from exc


def _template_findings(deps: AdminDeps, shop: Shop, template: Template) -> list[Finding]:
    templates = {stored.id: stored for stored in deps.config.templates(shop.id)} | {template.id: template}
    findings: list[Finding] = []
    for scenario in deps.config.scenarios(shop.id):
        steps = {step.id for step in scenario.steps if step.template == template.id}
        findings += [
            finding
            for finding in lint_scenario(shop, scenario, templates=templates)
            if finding.step in steps and finding.rule in TEMPLATE_RULES
        ]
    return list(dict.fromkeys(findings))  # two scenarios may find the same thing: say it once


def _trial_render(deps: AdminDeps, shop: Shop, template: Template) -> None:
    """Render both variants for the sample order: what only fails while rendering (a sandbox
    escape, ``1 / 0``, an attribute of a known object that does not exist) is refused on save
    rather than at every send."""
    now = deps.clock.now()
    try:
        preview_template(
            shop,
            template,
            sample_order(shop, now),
            now=now,
            secret=deps.unsubscribe_secret,
            advertising=False,
        )
    except TemplateError as exc:
        raise TemplateRefused(exc) from exc


def _save(
    deps: AdminDeps, shop_id: str, caller: Caller, template: Template, *, previous: Template | None
) -> TemplateSaveAnswer:
    TEMPLATE.check_size(template)
    pools = _compiled(template)
    shop = shop_of(deps.config, shop_id)
    _trial_render(deps, shop, template)
    saved = deps.config.save_template(shop_id, template, new=previous is None)
    changed = TEMPLATE.record_save(deps, shop_id, caller, saved, previous)
    return TemplateSaveAnswer(
        id=saved.id,
        version=saved.version,
        changed=changed,
        pools=[PoolCount.of(deps.coupons, shop_id, pool) for pool in pools],
        findings=_template_findings(deps, shop, saved),
        message_ja=TEMPLATE_SAVED_JA if changed else UNCHANGED_JA,
        message_en=TEMPLATE_SAVED_EN if changed else UNCHANGED_EN,
    )


def _advertising(deps: AdminDeps, shop_id: str, template: Template, asked: bool | None) -> bool:
    if asked is not None:
        return asked
    return advertising_template(template.id, deps.config.scenarios(shop_id), _compiled(template))


def register(app: APIGatewayHttpResolver, deps: AdminDeps) -> None:
    _register_reads(app, deps)
    _register_writes(app, deps)
    _register_mail(app, deps)


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
        return _at_version(deps, shop_id, template_id, version)

    @app.get(
        f"{SHOP_PATH}/templates/<template_id>/versions",
        tags=TAGS,
        summary="テンプレートの版 / a template's versions",
        openapi_extensions=STAFF,
    )
    def template_versions(shop_id: str, template_id: str) -> list[VersionInfo]:
        shop_caller(app, shop_id)
        return TEMPLATE.versions(template_id, deps.config.template_versions(shop_id, template_id))


def _register_writes(app: APIGatewayHttpResolver, deps: AdminDeps) -> None:
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
            app, deps, shop_id, caller, lambda: _save(deps, shop_id, caller, body, previous=None)
        )

    @app.put(
        f"{SHOP_PATH}/templates/<template_id>",
        tags=TAGS,
        summary="テンプレートの保存（新しい版） / save a template (a new version)",
        openapi_extensions=MANAGER,
    )
    def put_template(shop_id: str, template_id: str, body: Template) -> TemplateSaveAnswer:
        caller = shop_caller(app, shop_id)
        check_same_id(body.id, template_id)
        return _save(deps, shop_id, caller, body, previous=_at_version(deps, shop_id, template_id))


def _register_mail(app: APIGatewayHttpResolver, deps: AdminDeps) -> None:
    @app.post(
        f"{SHOP_PATH}/templates/preview",
        tags=TAGS,
        summary="プレビュー（PC・携帯） / preview (PC and mobile)",
        openapi_extensions=STAFF,
    )
    def preview(shop_id: str, body: PreviewBody) -> TemplatePreview:
        shop_caller(app, shop_id)
        shop = shop_of(deps.config, shop_id)
        template = body.template or _at_version(deps, shop_id, body.template_id or "", body.version)
        now = deps.clock.now()
        try:
            return preview_template(
                shop,
                template,
                body.order or sample_order(shop, now),
                now=now,
                secret=deps.unsubscribe_secret,
                advertising=_advertising(deps, shop_id, template, body.advertising),
                order_count=body.order_count,
                saved=body.template is None,
            )
        except TemplateError as exc:
            raise TemplateRefused(exc) from exc

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
            shop = shop_of(deps.config, shop_id)
            template = _at_version(deps, shop_id, template_id, body.version)
            now = deps.clock.now()
            try:
                rendered, raw = operator_test_mail(
                    shop,
                    template,
                    sample_order(shop, now),
                    to=body.to,
                    now=now,
                    secret=deps.unsubscribe_secret,
                    advertising=_advertising(deps, shop_id, template, body.advertising),
                )
            except TemplateError as exc:
                raise TemplateRefused(exc) from exc
            try:
                message_id = deps.ses.send(
                    sender=shop.sender.address,
                    recipient=body.to,
                    raw=raw,
                    tags={"shop": shop_id, "kind": "test_send"},
                )
            except TransportError as exc:
                if not exc.retryable:
                    raise
                return error_response(503, exc.code, exc.message_ja, exc.message_en)
            audit(
                deps,
                shop_id,
                caller,
                "template.test_send",
                template=template.id,
                version=template.version,
                to=body.to,
            )
            answer = TestSendAnswer(
                template_id=template.id,
                version=template.version,
                to=body.to,
                subject=rendered.subject,
                mobile=rendered.mobile,
                message_id=message_id,
            )
            return json_response(200, answer)

        return once(app, deps, shop_id, caller, send)
