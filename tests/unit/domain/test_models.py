"""Models: valid documents load, bad ones are refused naming the field, in Japanese and English."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path

import pytest

from okaeri.errors import ConfigError
from okaeri.models import Order, PlannedDelivery, Scenario, Shop, Template, load_document, validate_document

SHOP = {
    "id": "kaki-en",
    "name": "柿の木園",
    "sender": {"address": "hello@kaki-en.example", "name": "柿の木園"},
    "compliance": "yahoo",
}
STEP = {"id": "thanks", "offset_days": 0, "hour": 10, "template": "thanks", "purposes": ["thanks"]}


def scenario(**changes: object) -> dict[str, object]:
    return {"id": "s1", "name": "お礼", "trigger": "shipped", "steps": [STEP]} | changes


def refusal(model: type, data: object) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        validate_document(model, data, what="doc.yaml")
    return caught.value


def test_shop_defaults_are_what_an_operator_expects() -> None:
    shop = validate_document(Shop, SHOP, what="shop.yaml")
    assert shop.timezone == "Asia/Tokyo"
    assert shop.cutoff == time(12, 0)
    assert shop.calendar.closed_weekdays == ["sat", "sun"]
    assert shop.flexible_window_minutes == 30
    assert shop.transit_days_to("沖縄県") == 1
    assert str(shop.tz) == "Asia/Tokyo"


def test_unquoted_yaml_times_are_read_as_times(tmp_path: Path) -> None:
    # YAML 1.1 turns an unquoted 12:00 into the integer 720; an operator means noon.
    file = tmp_path / "shop.yaml"
    file.write_text(
        "id: kaki-en\nname: 柿の木園\nsender: {address: a@kaki-en.example}\ncutoff: 12:00\n"
        "quiet_hours: {start: 21:00, end: 8:00}\n",
        encoding="utf-8",
    )
    shop = load_document(Shop, file)
    assert shop.cutoff == time(12, 0)
    assert shop.quiet_hours is not None
    assert (shop.quiet_hours.start, shop.quiet_hours.end) == (time(21, 0), time(8, 0))


@pytest.mark.parametrize(
    ("change", "field", "japanese"),
    [
        ({"timezone": "Asia/Tokio"}, "timezone", "タイムゾーン Asia/Tokio が見つかりません"),
        ({"compliance": "amazon"}, "compliance", "決められた値のいずれか"),
        ({"max_window_days": 400}, "max_window_days", "値が大きすぎます"),
        ({"cutoff": "25:99"}, "cutoff", "時刻（HH:MM）"),
        ({"colour": "red"}, "colour", "この項目は使えません"),
        ({"id": "Sakura Farm"}, "id", "使えない文字"),
    ],
)
def test_bad_shop_names_field_and_problem_in_both_languages(
    change: dict[str, object], field: str, japanese: str
) -> None:
    error = refusal(Shop, SHOP | change)
    assert any(line.startswith(f"{field}:") for line in error.problems), error.problems
    assert japanese in error.message_ja
    assert "not valid" in error.message_en
    assert field in error.message_en


def test_missing_required_field_is_named() -> None:
    error = refusal(Shop, {"id": "kaki-en", "name": "柿"})
    assert any(line.startswith("sender: 必須の項目です / Field required") for line in error.problems)


def test_step_needs_offset_and_hour_or_immediate() -> None:
    error = refusal(
        Scenario, scenario(steps=[{"id": "a", "hour": 10, "template": "t", "purposes": ["thanks"]}])
    )
    assert "offset_days と hour の両方" in error.message_ja
    assert "give both offset_days and hour" in error.message_en
    assert any(line.startswith("steps.0:") for line in error.problems)


def test_step_limits_and_vocabulary() -> None:
    eleven = [STEP | {"id": f"s{i}"} for i in range(11)]
    assert any(line.startswith("steps:") for line in refusal(Scenario, scenario(steps=eleven)).problems)
    twice = refusal(Scenario, scenario(steps=[STEP, STEP]))
    assert "step id 'thanks' is used twice" in twice.message_en
    bad_purpose = refusal(Scenario, scenario(steps=[STEP | {"purposes": ["spam"]}]))
    assert any(line.startswith("steps.0.purposes.0:") for line in bad_purpose.problems)
    bad_hour = refusal(Scenario, scenario(steps=[STEP | {"hour": 24}]))
    assert any(line.startswith("steps.0.hour:") for line in bad_hour.problems)


def test_immediate_step_and_advertising_flag() -> None:
    loaded = validate_document(
        Scenario,
        scenario(
            trigger="ordered",
            steps=[
                {"id": "confirm", "immediate": True, "template": "t", "purposes": ["thanks"]},
                STEP | {"id": "coupon", "purposes": ["thanks", "coupon"]},
            ],
        ),
        what="s.yaml",
    )
    assert loaded.steps[0].immediate
    assert not loaded.steps[0].is_advertising
    assert loaded.steps[1].is_advertising


def test_order_dates_and_key() -> None:
    order = Order.model_validate(
        {"source": "rakuten", "order_id": " ３３８３６１-20261120-0912345678 ", "shipped_at": "2026-11-26"}
    )
    assert order.shipped_at == date(2026, 11, 26)
    assert not isinstance(order.shipped_at, datetime)
    assert order.key == "rakuten#338361-20261120-0912345678"
    timed = Order.model_validate(
        {"source": "yahoo", "order_id": "a", "shipped_at": "2026-11-26T15:00:00+09:00"}
    )
    assert isinstance(timed.shipped_at, datetime)
    assert Order.model_validate({"source": "mask:my-cart", "order_id": "1"}).source == "mask:my-cart"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"source": "ebay", "order_id": "1"}, "source"),
        ({"source": "api", "order_id": "1", "ordered_at": "2026-11-20T11:05:00"}, "ordered_at"),
        ({"source": "api", "order_id": ""}, "order_id"),
        ({"source": "api", "order_id": "1", "kind": "refund"}, "kind"),
    ],
)
def test_bad_order_is_refused(data: dict[str, object], field: str) -> None:
    assert any(line.startswith(f"{field}:") for line in refusal(Order, data).problems)


def test_order_json_leaves_unknown_fields_null() -> None:
    data = Order.model_validate({"source": "api", "order_id": "1"}).to_json_dict()
    assert data["customer"] == {"name": None, "name_kana": None, "email": None, "phone": None}
    assert data["is_gift"] is None
    assert "delivered_at" not in data


def test_planned_delivery_json_says_now_for_at_once() -> None:
    moment = datetime.fromisoformat("2026-11-24T10:00:00+09:00")
    assert PlannedDelivery(step="a", send_at=moment).model_dump(mode="json") == {
        "step": "a",
        "send_at": "2026-11-24T10:00:00+09:00",
    }
    assert PlannedDelivery(step="a", send_at=moment, at_once=True).model_dump(mode="json")["send_at"] == "now"


def test_unreadable_and_malformed_files_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"missing\.yaml: no such file"):
        load_document(Template, tmp_path / "missing.yaml")
    with pytest.raises(ConfigError, match="cannot read"):
        load_document(Template, tmp_path)
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not well-formed"):
        load_document(Template, broken)
    binary = tmp_path / "binary.json"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_document(Template, binary)
