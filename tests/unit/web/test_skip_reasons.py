"""Every reason a delivery can end with reads as a sentence on the admin page, never as its code.

``web/src/screens/deliveries/common.tsx`` lists the reason codes (``REASONS``) and the mall rules a
send checks (``COMPLIANCE_RULES``, written ``compliance:<rule>``); each has a message in both
catalogs. The lists are held here to the backend: the ``Skip`` values, the cancellation reasons the
services write, and every rule ``check_send`` can refuse a send with.
"""

from __future__ import annotations

import itertools
import json
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, get_args

from okaeri.compliance import check_send
from okaeri.models import Shop, Step, validate_document
from okaeri.models.delivery import REPLANNED, Skip
from okaeri.models.scenario import Purpose
from okaeri.models.shop import ComplianceProfile
from okaeri.services.delivery_actions import DROPPED, RESENT, STOPPED
from okaeri.services.erasure import ERASED_REASON

WEB = Path(__file__).resolve().parents[3] / "web" / "src"
COMMON = WEB / "screens" / "deliveries" / "common.tsx"

#: Written by the planner's repeat policy and the schedule service, not in ``Skip``.
SERVICE_REASONS = {"repeat_restart", "order_cancelled", REPLANNED, STOPPED, RESENT, DROPPED, ERASED_REASON}


def page_list(name: str) -> list[str]:
    found = re.search(rf"export const {name} = (\[[^\]]*\]);", COMMON.read_text("utf-8"))
    assert found, f"{name} not found in {COMMON}"
    listed: list[str] = json.loads(re.sub(r",\s*\]", "]", found.group(1)))
    return listed


def messages(lang: str) -> dict[str, str]:
    catalog: dict[str, str] = json.loads((WEB / "messages" / lang / "deliveries.json").read_text("utf-8"))
    return catalog


def send_rules() -> set[str]:
    """The rules check_send refuses with: every profile, every purpose set, day 0 to 400 after
    shipping, in a shop with no sender details and no opt-out."""
    found: set[str] = set()
    purposes: tuple[str, ...] = get_args(Purpose)
    ship = date(2026, 1, 5)
    for profile in get_args(ComplianceProfile):
        shop_doc: dict[str, Any] = {
            "id": "reasons",
            "name": "reasons",
            "sender": {"address": "info@reasons.example"},
            "compliance": profile,
            "max_window_days": 60,
        }
        shop = validate_document(Shop, shop_doc, what="shop")
        for size in range(1, len(purposes) + 1):
            for chosen in itertools.combinations(purposes, size):
                step = Step(id="s", offset_days=0, hour=10, template="t", purposes=list(chosen))
                for days in (0, 20, 22, 31, 61, 400):
                    at = datetime(2026, 1, 5, 3, tzinfo=UTC) + timedelta(days=days)
                    # an order of the shop's own site: the shop's profile (a mall's order follows its mall's,
                    # one of these profiles too)
                    own = {"source": "api", "recipient": "buyer@example.com"}
                    found |= {f.rule for f in check_send(shop, step, ship_date=ship, send_at=at, **own)}
    return found


def test_the_page_names_every_reason_a_delivery_can_have() -> None:
    listed = set(page_list("REASONS"))
    missing = ({str(skip) for skip in Skip} | SERVICE_REASONS) - listed
    assert not missing, f"add these to REASONS in {COMMON} and to deliveries.json: {sorted(missing)}"


def test_the_page_names_every_rule_a_send_checks() -> None:
    rules = send_rules()
    assert {"max_window", "rakuten.max_30_days", "legal_footer"} <= rules  # the walk reaches them
    missing = rules - set(page_list("COMPLIANCE_RULES"))
    assert not missing, f"add these to COMPLIANCE_RULES in {COMMON} and to deliveries.json: {sorted(missing)}"


def test_each_reason_and_rule_has_a_sentence_in_both_languages() -> None:
    keys = [f"reason_{code}" for code in page_list("REASONS")]
    keys += [f"reason_compliance_{rule.replace('.', '_')}" for rule in page_list("COMPLIANCE_RULES")]
    keys.append("reason_compliance_rule")
    for lang in ("ja", "en"):
        catalog = messages(lang)
        absent = [key for key in keys if not catalog.get(key)]
        assert not absent, f"{lang}/deliveries.json lacks {absent}"
        raw = [key for key in keys if catalog[key].strip() == key.removeprefix("reason_")]
        assert not raw, f"{lang}: these say the code, not a sentence: {raw}"
