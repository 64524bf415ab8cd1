"""Compliance profiles: the mall's rules for follow-up mail, checked on save and before each send.

A finding names the step, a stable rule id, a severity and a bilingual message. Errors block:
a scenario with an error is refused, and a send that breaks a rule is skipped, never forced.

A mall's rules follow the order, not the shop (issue #16): an order from Rakuten (source
``rakuten``, or a buyer at a 楽天あんしんメルアド, ``…@*.fw.rakuten.ne.jp``) is a Rakuten order, one
from Yahoo a Yahoo order, and every other order follows the shop's ``compliance`` setting
(``order_profile``). A send is checked under its own order's profile (``check_send``); a scenario
under every profile its conditions can reach (``scenario_profiles``): its ``sources`` condition's
profiles, or, without one, the shop's own profile and the malls the shop has received orders from
(``MallSources``, which ingest records). Every mall rule's id starts with its mall (``rakuten.…``).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final, Literal

from okaeri.models import Finding, Scenario, Shop, Step, Template
from okaeri.models.records import recipient_domain
from okaeri.models.scenario import ADVERTISING_PURPOSES, TRANSACTIONAL_PURPOSES
from okaeri.models.shop import ComplianceProfile

RAKUTEN_MAX_DAYS_AFTER_SHIPPING = 30
RAKUTEN_AD_MAX_DAYS_AFTER_SHIPPING = 21
#: 楽天あんしんメルアド: a Rakuten buyer's masked address, ``…@pc.fw.rakuten.ne.jp`` (Rakuten's relay only).
RAKUTEN_MASKED_DOMAIN: Final = "fw.rakuten.ne.jp"

#: The malls whose rules follow their orders into any shop (a profile of the same name).
Mall = Literal["rakuten", "yahoo"]
MALLS: Final[tuple[Mall, ...]] = ("rakuten", "yahoo")
#: What a shop has received, as ingest records it: for each mall, the sources whose orders were that
#: mall's (``rakuten`` → {"rakuten", "csv"} when a CSV brought orders of Rakuten buyers too).
MallSources = Mapping[str, Collection[str]]
#: The order the profiles are named in (answers and findings list them so).
_PROFILE_ORDER: Final[tuple[ComplianceProfile, ...]] = ("rakuten", "yahoo", "none")

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


# --- whose rules -----------------------------------------------------------------------------------


def is_rakuten_masked(recipient: str) -> bool:
    """A 楽天あんしんメルアド: the domain ``fw.rakuten.ne.jp`` or one under it (``pc.fw.rakuten.ne.jp``);
    a look-alike (``evilfw.rakuten.ne.jp``, ``fw.rakuten.ne.jp.evil.example``) is not."""
    domain = recipient_domain(recipient)
    return domain == RAKUTEN_MASKED_DOMAIN or domain.endswith(f".{RAKUTEN_MASKED_DOMAIN}")


def order_mall(source: str, buyer: str | None) -> Mall | None:
    """The mall whose rules an order follows: ``rakuten`` for a Rakuten order (its source, or a buyer
    at a Rakuten masked address whatever source brought it: a CSV of Rakuten orders), ``yahoo`` for a
    Yahoo order, None for the shop's other sources."""
    if source == "rakuten" or (buyer is not None and is_rakuten_masked(buyer)):
        return "rakuten"
    if source == "yahoo":
        return "yahoo"
    return None


def order_profile(shop: Shop, source: str, buyer: str | None) -> ComplianceProfile:
    """The profile an order's mails are checked under: its mall's, else the shop's ``compliance``."""
    return order_mall(source, buyer) or shop.compliance


def scenario_profiles(
    shop: Shop, scenario: Scenario, received: MallSources | None = None
) -> list[ComplianceProfile]:
    """Every profile an order the scenario's conditions can match may follow.

    With a ``sources`` condition: each source's own profile (``rakuten``, ``yahoo``, or the shop's
    for any other source), and a mall any of those sources has brought orders of (``received``).
    Without one: the shop's own profile and every mall the shop has received orders from.
    """
    received = received or {}
    sources = scenario.conditions.sources
    if sources:
        wanted = set(sources)
        profiles = {order_mall(source, None) or shop.compliance for source in wanted}
        profiles |= {mall for mall in MALLS if wanted.intersection(received.get(mall, ()))}
    else:
        profiles = {shop.compliance} | {mall for mall in MALLS if received.get(mall)}
    return [profile for profile in _PROFILE_ORDER if profile in profiles]


# --- findings --------------------------------------------------------------------------------------


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


@dataclass(frozen=True, slots=True)
class Span:
    """When a step's mail falls: the fewest and most days after the shipping of the order it follows
    (for a win-back, the customer's last order), which the mall rules count; and the fewest and most
    days the shop's ``max_window_days`` counts, which is the same except for a win-back
    (``trigger: lapsed``): its window counts from its base date, the lapse day (else every win-back
    later than the shop's window after the last order, 60 days by default, would be refused)."""

    fewest: int
    most: int
    window_fewest: int
    window_most: int
    winback: bool = False


def step_span(shop: Shop, scenario: Scenario, step: Step) -> Span:
    """When a step can fall, from its scenario's trigger and its offset.

    ``shipped`` is exact. ``delivered`` adds the shop's transit days (fewest to most). ``ordered``
    counts from the order day: it is at most ``offset`` days after shipping, and at least ``offset``
    minus the shop's ship lead (the estimate the planner uses). ``lapsed`` counts from the lapse day,
    ``lapsed_days`` after the last order's day: so ``lapsed_days + offset`` days after that order at
    most (shipped the day it was ordered), and ``lapsed_days + offset − ship lead`` at least; its
    window is ``offset`` days from the lapse day.
    """
    offset = 0 if step.immediate else (step.offset_days or 0)
    if scenario.trigger == "lapsed":
        most = (scenario.lapsed_days or 0) + offset
        fewest = max(most - shop.ship_lead_business_days, 0)
        return Span(fewest, most, offset, offset, winback=True)
    if scenario.trigger == "shipped":
        fewest = most = offset
    elif scenario.trigger == "delivered":
        transit = list(shop.transit_days.values())
        fewest, most = offset + min(transit), offset + max(transit)
    else:
        fewest, most = max(offset - shop.ship_lead_business_days, 0), offset
    return Span(fewest, most, fewest, most)


def _window_findings(shop: Shop, step: Step, span: Span) -> Iterable[Finding]:
    limit = shop.max_window_days
    since_ja = "再来店の基準日（最後の注文から lapsed_days 日の日）" if span.winback else "出荷"
    since_en = "the win-back's base date (the lapse day)" if span.winback else "shipping"
    if span.window_fewest > limit:
        yield _finding(
            step,
            "max_window",
            "error",
            f"ステップ「{step.id}」は{since_ja}から{span.window_fewest}日後で、ショップの上限 {limit} 日を"
            "超えています。",
            f"Step '{step.id}' falls {span.window_fewest} days after {since_en}, beyond the shop's limit "
            f"of {limit} days.",
        )
    elif span.window_most > limit:
        yield _finding(
            step,
            "max_window",
            "warning",
            f"ステップ「{step.id}」は{since_ja}から最大{span.window_most}日後になり、上限 {limit} 日を超える"
            "注文では送信されません。",
            f"Step '{step.id}' can fall up to {span.window_most} days after {since_en}; orders where it "
            f"exceeds {limit} days will skip it.",
        )


#: Said after a Rakuten day rule a win-back breaks: how to keep the scenario for the other malls.
_WINBACK_JA = (
    "再来店（休眠顧客向け）のメールは最後の注文の出荷からこれより後になるため、楽天の注文のお客様には送れません。"
    "受注元の条件で楽天以外に絞ってください（例: sources: [yahoo]）。"
)
_WINBACK_EN = (
    "A win-back mail falls later than that after the last order's shipping, so it cannot go to "
    "Rakuten buyers; limit the scenario's sources to other channels (e.g. sources: [yahoo])."
)
#: The page's words for the purposes a Rakuten mail may carry an ad or a review request on.
_CARRIERS_JA = "「お礼」「到着確認」「使い方のご案内」"
_CARRIERS_EN = "Thanks, Arrival check or Usage tips"


def _rakuten_step_findings(step: Step, span: Span) -> Iterable[Finding]:
    purposes = set(step.purposes)
    fewest, most = span.fewest, span.most
    extra_ja, extra_en = (_WINBACK_JA, f" {_WINBACK_EN}") if span.winback else ("", "")
    # A win-back that can fall past the 30 days for any buyer is refused: it is meant for the buyers
    # who stopped buying long ago, so "skipped for some" would be nearly all of its Rakuten buyers.
    beyond = most if span.winback else fewest
    if beyond > RAKUTEN_MAX_DAYS_AFTER_SHIPPING:
        when_ja, when_en = (
            (f"最後の注文の出荷から最大{beyond}日後", f"up to {beyond} days after the last order's shipping")
            if span.winback
            else (f"出荷から{beyond}日後", f"{beyond} days after shipping")
        )
        yield _finding(
            step,
            "rakuten.max_30_days",
            "error",
            f"ステップ「{step.id}」は{when_ja}です。楽天のフォローメールは出荷後30日以内に限られます。{extra_ja}",
            f"Step '{step.id}' is {when_en}; Rakuten allows follow-up mail only within 30 days of "
            f"shipping.{extra_en}",
        )
    if purposes & ADVERTISING_PURPOSES:
        if not purposes & TRANSACTIONAL_PURPOSES:
            yield _finding(
                step,
                "rakuten.ad_needs_transaction",
                "error",
                f"ステップ「{step.id}」は広告（「クーポン」「販促」）だけのメールです。楽天では広告は{_CARRIERS_JA}"
                "のいずれかを目的に含むメールに添える形でのみ送れます。",
                f"Step '{step.id}' is advertising only (Coupon, Promotion); on Rakuten an ad may only ride "
                f"on a mail whose purposes include {_CARRIERS_EN}.",
            )
        if fewest > RAKUTEN_AD_MAX_DAYS_AFTER_SHIPPING:
            yield _finding(
                step,
                "rakuten.ad_max_21_days",
                "error",
                f"ステップ「{step.id}」は出荷から{fewest}日後の広告（「クーポン」「販促」）です。楽天では広告を含む"
                f"メールは出荷後21日以内に限られます。{extra_ja}",
                f"Step '{step.id}' advertises (Coupon, Promotion) {fewest} days after shipping; Rakuten "
                f"allows advertising only within 21 days of shipping.{extra_en}",
            )
    if purposes == {"review_request"}:
        yield _finding(
            step,
            "rakuten.review_only",
            "error",
            f"ステップ「{step.id}」は「レビュー依頼」だけのメールです。楽天ではレビュー依頼は{_CARRIERS_JA}の"
            "いずれかを目的に含むメールに添える形でのみ送れます。",
            f"Step '{step.id}' only asks for a review (Review request); on Rakuten a review request must "
            f"ride on a mail whose purposes include {_CARRIERS_EN}.",
        )
    elif most > RAKUTEN_MAX_DAYS_AFTER_SHIPPING >= beyond:
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


def _step_findings(
    shop: Shop, step: Step, span: Span, profiles: Collection[ComplianceProfile]
) -> Iterable[Finding]:
    """The rules for one step falling within ``span``, under each of ``profiles``."""
    yield from _window_findings(shop, step, span)
    if step.is_advertising:
        yield from _advertising_findings(shop, step)
    if "rakuten" in profiles:
        yield from _rakuten_step_findings(step, span)


def lint_scenario(
    shop: Shop,
    scenario: Scenario,
    *,
    templates: Mapping[str, Template] | None = None,
    received: MallSources | None = None,
) -> list[Finding]:
    """Every finding for a scenario under each profile its orders can follow (``scenario_profiles``:
    ``received`` is what the shop has received, None when unknown); templates, when given, are
    checked too."""
    profiles = scenario_profiles(shop, scenario, received)
    findings: list[Finding] = []
    for step in scenario.steps:
        findings.extend(_step_findings(shop, step, step_span(shop, scenario, step), profiles))
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
            elif "rakuten" in profiles:
                findings.extend(_template_findings(step, template, variant=variant))
    return findings


def check_send(
    shop: Shop,
    step: Step,
    *,
    source: str,
    recipient: str | None,
    ship_date: date,
    send_at: datetime,
    base_date: date | None = None,
) -> list[Finding]:
    """The rules again just before a send, on the real dates and under the order's own profile
    (``order_profile`` of its ``source`` and ``recipient``); only the errors, which block it.

    ``base_date``: a win-back's lapse day, which the shop's window counts from (None: shipping)."""
    day = send_at.astimezone(shop.tz).date()
    days = (day - ship_date).days
    window = days if base_date is None else (day - base_date).days
    span = Span(days, days, window, window, winback=base_date is not None)
    profile = order_profile(shop, source, recipient)
    return [finding for finding in _step_findings(shop, step, span, {profile}) if finding.severity == "error"]


def has_errors(findings: Iterable[Finding]) -> bool:
    return any(finding.severity == "error" for finding in findings)
