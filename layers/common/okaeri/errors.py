"""One error taxonomy for Okaeri.

Every error an operator may see carries a stable ``code`` and a message in Japanese and English.
Adapters translate AWS errors into these; the admin API maps each class to an HTTP status once.
"""

from __future__ import annotations


class OkaeriError(Exception):
    """Base of every domain error: a code plus a bilingual message."""

    code: str = "error"

    def __init__(self, message_ja: str, message_en: str, *, code: str | None = None) -> None:
        super().__init__(f"{message_ja} / {message_en}")
        self.message_ja = message_ja
        self.message_en = message_en
        if code is not None:
            self.code = code


class ConfigError(OkaeriError):
    """A shop, scenario, template, mask or order document that does not validate."""

    code = "invalid_config"

    def __init__(self, message_ja: str, message_en: str, *, problems: list[str] | None = None) -> None:
        super().__init__(message_ja, message_en)
        self.problems = problems or []


class MissingFileError(ConfigError):
    """A file named on the command line (or in the local stack's config) that does not exist."""

    code = "file_not_found"

    @classmethod
    def for_path(cls, path: object) -> MissingFileError:
        return cls(f"{path} というファイルはありません", f"{path}: no such file")


class ParseError(OkaeriError):
    """A mail that is not an order mail or cannot be read.

    ``reason`` is the stable, machine-readable reason kept in the reception log
    (``not_an_order``, ``too_large``, ``too_many_parts``, ``too_deep``, ``unrecognised``,
    ``missing_field``, ``undecodable``, ``empty``).
    """

    code = "parse_failed"

    def __init__(self, reason: str, message_ja: str, message_en: str) -> None:
        super().__init__(message_ja, message_en, code=reason)
        self.reason = reason


class TemplateError(OkaeriError):
    """A template that cannot be rendered: unknown tag, sandbox escape, runaway rendering."""

    code = "template_error"


class CouponPoolEmptyError(OkaeriError):
    """A coupon pool has no unused code left."""

    code = "coupon_pool_empty"


class ComplianceError(OkaeriError):
    """A scenario or a send that breaks the shop's compliance profile."""

    code = "compliance_violation"


class PlanningError(OkaeriError):
    """An order that cannot be planned (for example no order date and no ship date)."""

    code = "planning_error"


class InvalidTokenError(OkaeriError):
    """An unsubscribe token that was tampered with, truncated or signed with another secret."""

    code = "invalid_token"


class InvalidAddressError(OkaeriError):
    """A recipient or sender address that cannot go into a mail header."""

    code = "invalid_address"


class TransportError(OkaeriError):
    """A send that did not go out. ``retryable``: nothing was accepted, so trying later is safe."""

    code = "send_failed"

    def __init__(self, message_ja: str, message_en: str, *, retryable: bool, code: str | None = None) -> None:
        super().__init__(message_ja, message_en, code=code)
        self.retryable = retryable


class ThrottledError(TransportError):
    """SES (or a relay) asked us to slow down: nothing was sent; back off, then move the schedule."""

    code = "throttled"

    def __init__(self, message_ja: str, message_en: str) -> None:
        super().__init__(message_ja, message_en, retryable=True)


class AmbiguousSendError(OkaeriError):
    """The mail may or may not have been accepted (a connection lost after the data went out).

    Never retried by itself: the delivery stays ``sending`` until its lease expires and becomes
    ``unknown`` for an operator to resend or drop.
    """

    code = "send_ambiguous"


class NotFoundError(OkaeriError):
    """A shop, scenario, template, order or delivery that does not exist (for this shop)."""

    code = "not_found"


class ConflictError(OkaeriError):
    """A state change that no longer applies (the delivery moved on meanwhile)."""

    code = "conflict"


class UnauthorizedError(OkaeriError):
    """No valid sign-in came with the request."""

    code = "unauthorized"


class ForbiddenError(OkaeriError):
    """The caller is signed in but may not do this (role or shop)."""

    code = "forbidden"


class PayloadTooLargeError(OkaeriError):
    """A request body past the size the API reads."""

    code = "too_large"


class UnsupportedMediaTypeError(OkaeriError):
    """A request body of a type the route does not read (the API's bodies are JSON)."""

    code = "unsupported_media_type"


class BadRequestError(OkaeriError):
    """A request the API cannot act on as sent (a bad cursor, a malformed upload, a bad mapping)."""

    code = "bad_request"


class TooManyRowsError(OkaeriError):
    """A read that would have to stop short of what it was asked for: refused (422), never partial."""

    code = "too_many_rows"
