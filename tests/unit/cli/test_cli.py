"""The `okaeri` command line, as SPEC §3 describes it: JSON out, bilingual refusals, exit codes."""

from __future__ import annotations

import email
import email.policy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from okaeri.cli import main
from tests.conftest import FIXTURES

CLI = FIXTURES / "cli"
MAILS = FIXTURES / "mail"
SHOP = str(CLI / "shop.yaml")
ORDER = str(CLI / "order.json")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def run_bytes(capfdbinary: pytest.CaptureFixture[bytes], *argv: str) -> tuple[int, bytes, str]:
    code = main(list(argv))
    out, err = capfdbinary.readouterr()
    return code, out, err.decode()


def mail_cases() -> list[Path]:
    return sorted(MAILS.glob("*.eml"))


@pytest.mark.parametrize("mail", mail_cases(), ids=lambda path: path.stem)
def test_parse_prints_the_order_or_refuses_with_the_reason(
    capsys: pytest.CaptureFixture[str], mail: Path
) -> None:
    expected = json.loads(mail.with_suffix("").with_suffix(".expected.json").read_text(encoding="utf-8"))
    masks = [arg for path in sorted(MAILS.glob("*-mask.yaml")) for arg in ("--mask", str(path))]
    code, out, err = run(capsys, "parse", str(mail), *masks)
    if "error" in expected:
        assert code == 1
        assert out == ""
        assert f"[{expected['error']}]" in err
        assert "Traceback" not in err
        return
    assert code == 0, err
    order = json.loads(out)
    for key in ("source", "kind", "order_id"):
        if key in expected:
            assert order[key] == expected[key]
    assert set(order) >= {"customer", "ship_to", "items", "total", "currency", "is_gift", "shipped_at"}


def test_plan_prints_send_times_on_the_shop_calendar(capsys: pytest.CaptureFixture[str]) -> None:
    # Friday 15:30 is after the 14:00 cutoff → Saturday (open); +1 business day skips Sunday and
    # 勤労感謝の日 (Mon 23rd) → ships Tuesday the 24th. 08:00 is inside quiet hours (20:00–09:00).
    code, out, err = run(
        capsys, "plan", "--shop", SHOP, "--scenario", str(CLI / "scenario.yaml"), "--order", ORDER,
        "--now", "2026-11-20T15:31:00+09:00",
    )  # fmt: skip
    assert code == 0, err
    assert json.loads(out) == {
        "scenario": "thanks-tips",
        "scenario_version": 1,
        "trigger": "shipped",
        "ship_date": "2026-11-24",
        "deliveries": [
            {"step": "thanks", "send_at": "2026-11-24T09:00:00+09:00"},
            {"step": "tips", "send_at": "2026-11-27T19:00:00+09:00"},
            {"step": "coupon", "send_at": "2026-12-04T12:00:00+09:00"},
        ],
        "skipped": [],
    }


def test_plan_with_no_matching_scenario_says_null(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    order = json.loads(Path(ORDER).read_text(encoding="utf-8"))
    order["items"][0]["sku"] = "kaki-1kg"
    other = tmp_path / "order.json"
    other.write_text(json.dumps(order, ensure_ascii=False), encoding="utf-8")
    code, out, _ = run(
        capsys, "plan", "--shop", SHOP, "--scenario", str(CLI / "scenario.yaml"), "--order", str(other)
    )
    assert code == 0
    assert json.loads(out) == {"scenario": None, "ship_date": None, "deliveries": [], "skipped": []}


def message_of(raw: bytes) -> email.message.EmailMessage:
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(parsed, email.message.EmailMessage)
    return parsed


def text_of(message: email.message.EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    content: str = body.get_content()  # type: ignore[attr-defined]
    return content


def test_render_prints_the_mime_message_with_a_coupon_code(capfdbinary: pytest.CaptureFixture[bytes]) -> None:
    code, out, err = run_bytes(
        capfdbinary, "render", "--shop", SHOP, "--template", str(CLI / "template-coupon.yaml"), "--order", ORDER,
        "--coupons", f"NASHI5={CLI / 'coupons-NASHI5.csv'}", "--now", "2026-11-30T12:00:00+09:00",
    )  # fmt: skip
    assert code == 0, err
    message = message_of(out)
    assert message["To"] == "riko@example.jp"
    assert message["Subject"] == "市川 梨子様へ 次回使えるクーポンです"
    assert message.get_content_type() == "multipart/alternative"
    text = text_of(message)
    assert "NASHI-AAAA-01" in text
    assert "先日はご注文（201555-20261120-00000042）" in text
    # A coupon makes the mail advertising: the legal footer and an opt-out are there.
    assert "株式会社梨の丘" in text
    assert "https://okaeri.nashi-oka.example/u/" in text
    assert "https://okaeri.nashi-oka.example/u/" in message["List-Unsubscribe"]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_render_for_a_carrier_address_uses_iso_2022_jp(capfdbinary: pytest.CaptureFixture[bytes]) -> None:
    code, out, err = run_bytes(
        capfdbinary, "render", "--shop", SHOP, "--template", str(CLI / "template-coupon.yaml"), "--order", ORDER,
        "--to", "riko.n@docomo.ne.jp",
    )  # fmt: skip
    assert code == 0, err
    message = message_of(out)
    assert message.get_content_type() == "text/plain"
    assert message.get_content_charset() == "iso-2022-jp"
    assert message["To"] == "riko.n@docomo.ne.jp"
    assert "PREVIEW" in text_of(message)  # no pool given: a visible preview code, no real code spent


def test_lint_exits_1_on_errors_and_names_each_step(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "lint", "--shop", SHOP, "--scenario", str(CLI / "scenario-pushy.yaml"))
    assert code == 1
    report = json.loads(out)
    assert report["ok"] is False
    assert {(f["step"], f["rule"]) for f in report["findings"]} == {
        ("review", "rakuten.review_only"),
        ("late", "rakuten.max_30_days"),
        ("late", "rakuten.ad_max_21_days"),
    }
    assert "[review] rakuten.review_only" in err


def test_lint_passes_a_compliant_scenario(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "lint", "--shop", SHOP, "--scenario", str(CLI / "scenario.yaml"))
    assert code == 0
    assert json.loads(out) == {
        "scenario": "thanks-tips",
        "profile": "rakuten",
        "profiles": ["rakuten"],
        "ok": True,
        "findings": [],
    }


@pytest.mark.parametrize(
    ("argv", "japanese", "english"),
    [
        (["parse", "/nonexistent.eml"], "/nonexistent.eml というファイルはありません", "/nonexistent.eml: no such file"),
        (["parse", "/"], "読み込めません", "cannot read"),
        (["plan", "--shop", SHOP, "--scenario", str(CLI / "order.json"), "--order", ORDER], "誤りがあります", "not valid"),
        (
            ["plan", "--shop", SHOP, "--scenario", str(CLI / "scenario.yaml"), "--order", ORDER, "--now", "tomorrow"],
            "--now の日時が読めません",
            "--now is not an ISO 8601",
        ),
        (
            ["plan", "--shop", SHOP, "--scenario", str(CLI / "scenario.yaml"), "--order", ORDER, "--now", "2026-11-20T10:00"],
            "タイムゾーン",
            "UTC offset",
        ),
        (
            ["render", "--shop", SHOP, "--template", str(CLI / "template-coupon.yaml"), "--order", ORDER,
             "--coupons", "NASHI5"],
            "POOL=ファイル.csv",
            "--coupons takes POOL=FILE.csv",
        ),
    ],
)  # fmt: skip
def test_bad_input_is_refused_in_both_languages(
    capsys: pytest.CaptureFixture[str], argv: list[str], japanese: str, english: str
) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 1
    assert out == ""
    assert japanese in err
    assert english in err
    assert "Traceback" not in err


def test_render_without_a_recipient_is_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    order: dict[str, Any] = json.loads(Path(ORDER).read_text(encoding="utf-8"))
    order["customer"]["email"] = None
    nobody = tmp_path / "order.json"
    nobody.write_text(json.dumps(order, ensure_ascii=False), encoding="utf-8")
    code, _, err = run(
        capsys,
        "render",
        "--shop",
        SHOP,
        "--template",
        str(CLI / "template-coupon.yaml"),
        "--order",
        str(nobody),
    )
    assert code == 1
    assert "--to" in err


def test_the_installed_console_script_runs() -> None:
    script = Path(sys.executable).with_name("okaeri")
    result = subprocess.run(
        [str(script), "lint", "--shop", SHOP, "--scenario", str(CLI / "scenario-pushy.yaml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert json.loads(result.stdout)["ok"] is False


def test_a_missing_file_is_named_as_missing_in_both_languages(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    missing = tmp_path / "nashi.eml"
    code, out, err = run(capsys, "parse", str(missing))
    assert code == 1
    assert out == ""
    assert "[file_not_found]" in err
    assert "[invalid_config]" not in err
    assert f"{missing} というファイルはありません" in err
    assert f"{missing}: no such file" in err
    code, _, err = run(capsys, "lint", "--shop", str(tmp_path / "shop.yaml"), "--scenario", SHOP)
    assert code == 1
    assert "[file_not_found]" in err
    assert "shop.yaml というファイルはありません" in err


@pytest.mark.parametrize(
    "argv",
    [
        ["parse", str(MAILS / sorted(p.name for p in MAILS.glob("*.eml"))[0])],
        ["plan", "--shop", SHOP, "--scenario", str(CLI / "scenario-pushy.yaml"), "--order", ORDER,
         "--now", "2026-11-20T11:06:12+09:00"],
        ["render", "--shop", SHOP, "--template", str(CLI / "template-coupon.yaml"), "--order", ORDER,
         "--coupons", f"NASHI5={CLI / 'coupons-NASHI5.csv'}", "--now", "2026-11-30T12:00:00+09:00"],
        ["lint", "--shop", SHOP, "--scenario", str(CLI / "scenario-pushy.yaml")],
        ["--help"],
        ["parse", "--help"],
    ],
    ids=["parse", "plan", "render", "lint", "help", "parse-help"],
)  # fmt: skip
def test_a_closed_pipe_ends_the_command_quietly(argv: list[str]) -> None:
    """`okaeri … | head`: the reader is gone before the first byte, so every write meets EPIPE."""
    import os

    reader, writer = os.pipe()
    os.close(reader)
    try:
        result = subprocess.run(
            [sys.executable, "-m", "okaeri.cli", *argv], stdout=writer, stderr=subprocess.PIPE, check=False
        )
    finally:
        os.close(writer)
    stderr = result.stderr.decode()
    assert "Traceback" not in stderr
    assert "BrokenPipeError" not in stderr
    assert "Exception ignored" not in stderr
    assert stderr == ""
    # argparse already swallows a failed write of its help (and exits 0); the rest stop as SIGPIPE would
    assert result.returncode == (0 if "--help" in argv else 141)
