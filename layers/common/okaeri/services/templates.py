"""Mail templates as operators edit them: versioned, checked on every save, previewed, test-sent.

- A save (create or edit) is refused with 422 when the template does not compile
  (``okaeri.rendering.check_template``: syntax, unknown tag…) or fails to render for the sample
  order (a sandbox escape, ``1 / 0``): what only fails while rendering is refused on save rather than
  at every send. It makes a new version only when the content changed (planned deliveries keep the
  version they were planned with), and answers the coupon pools the template hands out codes from
  (with what is left in each) and the Rakuten template warnings (sale words, links) of the scenario
  steps that use it.
- A preview renders a saved template or unsaved edits for the sample order (or the given one), the
  PC and the mobile variant; coupon codes show as ``PREVIEW-<POOL>``: previews never take a code.
- A test send is the template for the sample order, subject prefixed ``[テスト送信 / TEST]``, sent
  through SES to an operator's address, and audited.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict

from okaeri.compliance import lint_scenario
from okaeri.errors import TemplateError
from okaeri.models import Finding, Order, Shop, Template
from okaeri.models.admin import VersionInfo
from okaeri.ports import AdminConfig, Clock, CouponPools, Logs, Transport
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
from okaeri.services.coupons import PoolCount
from okaeri.services.documents import DocumentKind, shop_of
from okaeri.services.previews import (
    TemplatePreview,
    advertising_template,
    operator_test_mail,
    preview_template,
)

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


class TestSendAnswer(BaseModel):
    model_config = ConfigDict(defer_build=True)

    template_id: str
    version: int
    to: str
    subject: str
    mobile: bool
    message_id: str


@dataclass(frozen=True)
class TemplateDeps:
    config: AdminConfig
    coupons: CouponPools
    logs: Logs
    ses: Transport  # test sends
    clock: Clock
    unsubscribe_secret: bytes  # the unsubscribe link the mail carries


# --- reading ---------------------------------------------------------------------------------------


def template_at(config: AdminConfig, shop_id: str, template_id: str, version: int | None = None) -> Template:
    """The current version, or ``version``; a 404 when there is none."""
    template = config.template(shop_id, template_id, version) if TEMPLATE.possible(template_id) else None
    if template is None:
        raise TEMPLATE.not_found(template_id, version)
    return template


def template_versions(config: AdminConfig, shop_id: str, template_id: str) -> list[VersionInfo]:
    return TEMPLATE.versions(template_id, config.template_versions(shop_id, template_id))


# --- saving ----------------------------------------------------------------------------------------


def _compiled(template: Template) -> list[str]:
    try:
        return check_template(template)
    except TemplateError as exc:
        raise TemplateRefused(exc) from exc


def _findings(config: AdminConfig, shop: Shop, template: Template) -> list[Finding]:
    templates = {stored.id: stored for stored in config.templates(shop.id)} | {template.id: template}
    findings: list[Finding] = []
    received = config.mall_sources(shop.id)
    for scenario in config.scenarios(shop.id):
        steps = {step.id for step in scenario.steps if template.id in step.templates}
        findings += [
            finding
            for finding in lint_scenario(shop, scenario, templates=templates, received=received)
            if finding.step in steps and finding.rule in TEMPLATE_RULES
        ]
    return list(dict.fromkeys(findings))  # two scenarios may find the same thing: say it once


def _trial_render(deps: TemplateDeps, shop: Shop, template: Template) -> None:
    """Render both variants for the sample order (raises TemplateRefused)."""
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
    deps: TemplateDeps, shop_id: str, template: Template, *, previous: Template | None, by: str
) -> TemplateSaveAnswer:
    TEMPLATE.check_size(template)
    pools = _compiled(template)
    shop = shop_of(deps.config, shop_id)
    _trial_render(deps, shop, template)
    saved = deps.config.save_template(shop_id, template, new=previous is None)
    changed = TEMPLATE.record_save(deps.logs, deps.clock, shop_id, saved, previous, by=by)
    return TemplateSaveAnswer(
        id=saved.id,
        version=saved.version,
        changed=changed,
        pools=[PoolCount.of(deps.coupons, shop_id, pool) for pool in pools],
        findings=_findings(deps.config, shop, saved),
        message_ja=TEMPLATE_SAVED_JA if changed else UNCHANGED_JA,
        message_en=TEMPLATE_SAVED_EN if changed else UNCHANGED_EN,
    )


def create_template(deps: TemplateDeps, shop_id: str, template: Template, *, by: str) -> TemplateSaveAnswer:
    """A new template (409 when the id exists)."""
    return _save(deps, shop_id, template, previous=None, by=by)


def save_template(
    deps: TemplateDeps, shop_id: str, template_id: str, template: Template, *, by: str
) -> TemplateSaveAnswer:
    """An edit of ``template_id``: a new version when the content changed."""
    check_same_id(template.id, template_id)
    return _save(deps, shop_id, template, previous=template_at(deps.config, shop_id, template_id), by=by)


# --- previews and test sends -------------------------------------------------------------------------


def _advertising(config: AdminConfig, shop_id: str, template: Template, asked: bool | None) -> bool:
    if asked is not None:
        return asked
    return advertising_template(template.id, config.scenarios(shop_id), _compiled(template))


def preview(
    deps: TemplateDeps,
    shop_id: str,
    *,
    edited: Template | None,
    template_id: str | None,
    version: int | None,
    order: Order | None,
    advertising: bool | None,
    order_count: int,
) -> TemplatePreview:
    """Both variants of unsaved edits (``edited``) or of a saved template (``template_id``,
    ``version``) for ``order`` or the sample order; ``advertising`` None: as the shop's scenarios use
    the template."""
    shop = shop_of(deps.config, shop_id)
    template = edited or template_at(deps.config, shop_id, template_id or "", version)
    now = deps.clock.now()
    try:
        return preview_template(
            shop,
            template,
            order or sample_order(shop, now),
            now=now,
            secret=deps.unsubscribe_secret,
            advertising=_advertising(deps.config, shop_id, template, advertising),
            order_count=order_count,
            saved=edited is None,
        )
    except TemplateError as exc:
        raise TemplateRefused(exc) from exc


def send_test_mail(
    deps: TemplateDeps,
    shop_id: str,
    template_id: str,
    *,
    to: str,
    version: int | None,
    advertising: bool | None,
    by: str,
) -> TestSendAnswer:
    """Send the template for the sample order to ``to`` through SES (raises TransportError)."""
    shop = shop_of(deps.config, shop_id)
    template = template_at(deps.config, shop_id, template_id, version)
    now = deps.clock.now()
    try:
        rendered, raw = operator_test_mail(
            shop,
            template,
            sample_order(shop, now),
            to=to,
            now=now,
            secret=deps.unsubscribe_secret,
            advertising=_advertising(deps.config, shop_id, template, advertising),
        )
    except TemplateError as exc:
        raise TemplateRefused(exc) from exc
    message_id = deps.ses.send(
        sender=shop.sender.address, recipient=to, raw=raw, tags={"shop": shop_id, "kind": "test_send"}
    )
    TEMPLATE.audit(deps.logs, deps.clock, shop_id, "test_send", template, by=by, to=to)
    return TestSendAnswer(
        template_id=template.id,
        version=template.version,
        to=to,
        subject=rendered.subject,
        mobile=rendered.mobile,
        message_id=message_id,
    )
