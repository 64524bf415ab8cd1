"""Compliance profiles: the mall's rules for follow-up mail, checked on save and before each send.

A finding names the step, a stable rule id, a severity and a bilingual message. Errors block:
a scenario with an error is refused, and a send that breaks a rule is skipped, never forced.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime

from okaeri.models import Finding, Scenario, Shop, Step, Template
from okaeri.models.scenario import ADVERTISING_PURPOSES, TRANSACTIONAL_PURPOSES

RAKUTEN_MAX_DAYS_AFTER_SHIPPING = 30
RAKUTEN_AD_MAX_DAYS_AFTER_SHIPPING = 21

# Words that make a follow-up mail read as a sales mail (楽天: フォローメールでの販促は不可).
SALE_WORDS = (
    "セール",
    "SALE",
    "半額",
    "%OFF",
    "％OFF",
    "割引",
    "値引",
    "タイムセール",
    "期間限定",
    "在庫処分",
    "ポイント10倍",
    "ポイント倍",
    "送料無料",
    "新商品",
    "新発売",
    "おすすめ商品",
    "お買い得",
    "今だけ",
)
_SALE_WORDS_RE = re.compile("|".join(re.escape(word) for word in SALE_WORDS), re.IGNORECASE)
_URL_RE = re.compile(r"https?://[^\s\"'<>）)]+")


def _finding(
    step: Step | None, rule: str, severity: str, ja: str, en: str, *, variant: str | None = None
) -> Finding:
    if variant is not None:
        ja, en = f"[{variant}] {ja}", f"[{variant}] {en}"
    return Finding.model_validate(
        {
            "step": step.id if step else None,
            "rule": rule,
            "severity": severity,
            "message_ja": ja,
            "message_en": en,
            "variant": variant,
        }
    )


def _wordings(step: Step) -> list[tuple[str | None, str]]:
    """Each (variant, template) a step sends: its one template (variant None), or every variant's."""
    if step.variants is None:
        return [(None, step.templates[0])]
    return [(variant.id, variant.template) for variant in step.variants]


def _days_after_shipping(shop: Shop, scenario: Scenario, step: Step) -> tuple[int, int]:
    """The fewest and the most days after shipping a step can fall, from its trigger and offset.

    ``shipped`` is exact. ``delivered`` adds the shop's transit days (fewest to most). ``ordered``
    counts from the order day: it is at most ``offset`` days after shipping, and at least
    ``offset`` minus the shop's ship lead (the estimate the planner uses).
    """
    offset = 0 if step.immediate else (step.offset_days or 0)
    if scenario.trigger == "shipped":
        return offset, offset
    if scenario.trigger == "delivered":
        transit = list(shop.transit_days.values())
        return offset + min(transit), offset + max(transit)
    return max(offset - shop.ship_lead_business_days, 0), offset


def _window_findings(shop: Shop, step: Step, fewest: int, most: int) -> Iterable[Finding]:
    limit = shop.max_window_days
    if fewest > limit:
        yield _finding(
            step,
            "max_window",
            "error",
            f"ステップ「{step.id}」は出荷から{fewest}日後で、ショップの上限 {limit} 日を超えています。",
            f"Step '{step.id}' falls {fewest} days after shipping, beyond the shop's limit of {limit} days.",
        )
    elif most > limit:
        yield _finding(
            step,
            "max_window",
            "warning",
            f"ステップ「{step.id}」は出荷から最大{most}日後になり、上限 {limit} 日を超える注文では送信されません。",
            f"Step '{step.id}' can fall up to {most} days after shipping; orders where it exceeds "
            f"{limit} days will skip it.",
        )


def _rakuten_step_findings(step: Step, fewest: int, most: int) -> Iterable[Finding]:
    purposes = set(step.purposes)
    if fewest > RAKUTEN_MAX_DAYS_AFTER_SHIPPING:
        yield _finding(
            step,
            "rakuten.max_30_days",
            "error",
            f"ステップ「{step.id}」は出荷から{fewest}日後です。楽天のフォローメールは出荷後30日以内に限られます。",
            f"Step '{step.id}' is {fewest} days after shipping; Rakuten allows follow-up mail only "
            "within 30 days of shipping.",
        )
    if purposes & ADVERTISING_PURPOSES:
        if not purposes & TRANSACTIONAL_PURPOSES:
            yield _finding(
                step,
                "rakuten.ad_needs_transaction",
                "error",
                f"ステップ「{step.id}」は広告（クーポン・販促）だけのメールです。楽天では広告はサンクス・到着確認・"
                "使い方案内のメールに添える形でのみ送れます。",
                f"Step '{step.id}' is advertising only; on Rakuten a coupon or promotion may only ride on "
                "a thanks, arrival-check or usage-tips mail.",
            )
        if fewest > RAKUTEN_AD_MAX_DAYS_AFTER_SHIPPING:
            yield _finding(
                step,
                "rakuten.ad_max_21_days",
                "error",
                f"ステップ「{step.id}」は出荷から{fewest}日後の広告（クーポン・販促）です。楽天では広告を含むメールは"
                "出荷後21日以内に限られます。",
                f"Step '{step.id}' advertises {fewest} days after shipping; Rakuten allows advertising "
                "only within 21 days of shipping.",
            )
    if purposes == {"review_request"}:
        yield _finding(
            step,
            "rakuten.review_only",
            "error",
            f"ステップ「{step.id}」はレビュー依頼だけのメールです。楽天ではレビュー依頼はサンクス・到着確認・"
            "使い方案内のメールに含める形でのみ送れます。",
            f"Step '{step.id}' only asks for a review; on Rakuten a review request must ride on a "
            "thanks, arrival-check or usage-tips mail.",
        )
    elif most > RAKUTEN_MAX_DAYS_AFTER_SHIPPING and fewest <= RAKUTEN_MAX_DAYS_AFTER_SHIPPING:
        yield _finding(
            step,
            "rakuten.max_30_days",
            "warning",
            f"ステップ「{step.id}」は注文によっては出荷から30日を超え、その場合は送信されません。",
            f"Step '{step.id}' can fall more than 30 days after shipping for some orders; it is then skipped.",
        )


def _template_findings(step: Step, template: Template, *, variant: str | None = None) -> Iterable[Finding]:
    bodies = [template.subject, template.text, template.html or "", template.mobile_text or ""]
    words = sorted({match.group(0) for body in bodies for match in _SALE_WORDS_RE.finditer(body)})
    if words:
        listed = "、".join(words)
        yield _finding(
            step,
            "rakuten.sale_words",
            "warning",
            f"テンプレート「{template.id}」に販促的な言葉があります（{listed}）。楽天のフォローメールでは商品の販促は"
            "控えてください。",
            f"Template '{template.id}' uses sales wording ({listed}); Rakuten follow-up mail should not "
            "promote products.",
            variant=variant,
        )
    links = sorted({url for body in bodies for url in _URL_RE.findall(body)})
    if links:
        listed = ", ".join(links)
        yield _finding(
            step,
            "rakuten.item_links",
            "warning",
            f"テンプレート「{template.id}」に他ページへのリンクがあります（{listed}）。楽天のフォローメールでは他の商品"
            "ページへの誘導はできません。レビューと配信停止のリンクは {{ review_url }} などのタグで入れてください。",
            f"Template '{template.id}' links elsewhere ({listed}); Rakuten follow-up mail may not lead to "
            "other items. Put review and unsubscribe links in with their tags.",
            variant=variant,
        )


def _advertising_findings(shop: Shop, step: Step) -> Iterable[Finding]:
    """特定電子メール法: an advertising mail names the sender and offers an opt-out."""
    if shop.legal is None:
        yield _finding(
            step,
            "legal_footer",
            "error",
            f"ステップ「{step.id}」は広告メールですが、ショップ設定に送信者情報（legal: 会社名・住所・連絡先）が"
            "ありません（特定電子メール法）。",
            f"Step '{step.id}' is advertising but the shop has no legal sender details (legal: company, "
            "address, contact), which Japan's Act on Specified Electronic Mail requires.",
        )
    if not (shop.links.public_base_url or shop.links.unsubscribe_mailto):
        yield _finding(
            step,
            "opt_out_missing",
            "error",
            f"ステップ「{step.id}」は広告メールですが、配信停止の方法（links.public_base_url または "
            "links.unsubscribe_mailto）が設定されていません。",
            f"Step '{step.id}' is advertising but the shop offers no opt-out (links.public_base_url or "
            "links.unsubscribe_mailto).",
        )


def _step_findings(shop: Shop, step: Step, fewest: int, most: int) -> Iterable[Finding]:
    """The rules for one step that falls between ``fewest`` and ``most`` days after shipping."""
    yield from _window_findings(shop, step, fewest, most)
    if step.is_advertising:
        yield from _advertising_findings(shop, step)
    if shop.compliance == "rakuten":
        yield from _rakuten_step_findings(step, fewest, most)


def lint_scenario(
    shop: Shop, scenario: Scenario, *, templates: Mapping[str, Template] | None = None
) -> list[Finding]:
    """Every finding for a scenario under the shop's profile; templates, when given, are checked too."""
    findings: list[Finding] = []
    for step in scenario.steps:
        findings.extend(_step_findings(shop, step, *_days_after_shipping(shop, scenario, step)))
        if templates is None:
            continue
        for variant, template_id in _wordings(step):
            template = templates.get(template_id)
            if template is None:
                findings.append(
                    _finding(
                        step,
                        "template_missing",
                        "error",
                        f"ステップ「{step.id}」のテンプレート「{template_id}」が見つかりません。",
                        f"Step '{step.id}' uses template '{template_id}', which does not exist.",
                        variant=variant,
                    )
                )
            elif shop.compliance == "rakuten":
                findings.extend(_template_findings(step, template, variant=variant))
    return findings


def check_send(shop: Shop, step: Step, *, ship_date: date, send_at: datetime) -> list[Finding]:
    """The rules again just before a send, on the real dates; only the errors, which block it."""
    days = (send_at.astimezone(shop.tz).date() - ship_date).days
    return [finding for finding in _step_findings(shop, step, days, days) if finding.severity == "error"]


def has_errors(findings: Iterable[Finding]) -> bool:
    return any(finding.severity == "error" for finding in findings)
