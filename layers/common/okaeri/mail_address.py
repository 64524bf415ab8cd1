"""The one rule for an e-mail address Okaeri takes: one it can write into a mail header and send.

A local part of at most 64 of RFC 5322's atom characters and dots, ``@``, then two or more labels of
letters, digits and inner hyphens (at most 63 each); 254 characters in all. Every place that takes an
address checks this rule: the admin API's bodies, the shop's sender, CSV imports, the mail's own
headers, the deployment's alarm address. The admin page checks the same pattern
(``web/src/lib/mailAddress.ts``; tests/unit/web/test_mail_address.py compares the two).
"""

from __future__ import annotations

import re
from typing import Annotated, Final

from pydantic import Field

_LOCAL_PART = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
#: The pattern (anchored, as JSON Schema and the admin page use it).
ADDRESS_PATTERN: Final = rf"^{_LOCAL_PART}@{_LABEL}(?:\.{_LABEL})+$"
MAX_ADDRESS_CHARS: Final = 254
_ADDRESS: Final = re.compile(ADDRESS_PATTERN)

#: A model field that holds an address (its description, if any, given by the field).
MailAddress = Annotated[str, Field(max_length=MAX_ADDRESS_CHARS, pattern=ADDRESS_PATTERN)]


def is_mail_address(text: str) -> bool:
    """Whether ``text``, as it is (not trimmed), is an address by the rule above."""
    return len(text) <= MAX_ADDRESS_CHARS and _ADDRESS.fullmatch(text) is not None
