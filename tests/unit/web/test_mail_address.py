"""One e-mail address rule: the admin page's pattern is the API's (``okaeri/mail_address.py``).

``web/src/lib/mailAddress.ts`` writes the pattern as a JSON-compatible string literal, read here.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from okaeri.mail_address import ADDRESS_PATTERN, MAX_ADDRESS_CHARS, is_mail_address

MODULE = Path(__file__).resolve().parents[3] / "web" / "src" / "lib" / "mailAddress.ts"


def _constant(name: str) -> str:
    found = re.search(rf"export const {name} =\s*(.+?);\n", MODULE.read_text("utf-8"), re.DOTALL)
    assert found, f"{name} not found in {MODULE}"
    return found.group(1)


def test_the_page_checks_the_apis_pattern_and_length() -> None:
    assert json.loads(_constant("ADDRESS_PATTERN")) == ADDRESS_PATTERN
    assert int(_constant("MAX_ADDRESS_CHARS")) == MAX_ADDRESS_CHARS


@pytest.mark.parametrize(
    "address",
    ["hanako.yamada@example.com", "a+tag@mail.example.jp", "x..y.@docomo.ne.jp", "O'Neil@EXAMPLE.JP"],
)
def test_addresses_taken(address: str) -> None:
    assert is_mail_address(address)


@pytest.mark.parametrize(
    "address",
    [
        "no-at.example.jp",
        "two@@example.jp",
        "nodot@localhost",
        "space in@example.jp",
        "花子@example.jp",
        "hanako@例え.jp",
        "hanako@-example.jp",
        "hanako@example-.jp",
        "hanako@example.jp\n",
        " hanako@example.jp",
        "x" * 65 + "@example.jp",
        "hanako@" + "a" * 64 + ".jp",
        "hanako@" + ".".join(["a" * 60] * 5),
    ],
)
def test_addresses_refused(address: str) -> None:
    assert not is_mail_address(address)
