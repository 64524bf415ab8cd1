"""Render a template for one mail: subject, text, optional HTML, or the mobile variant."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Final

from jinja2.exceptions import SecurityError, TemplateRuntimeError, TemplateSyntaxError, UndefinedError

from okaeri.errors import TemplateError
from okaeri.models import Template
from okaeri.rendering.compiler import CompiledPart, compile_part, render_part, unknown_tag
from okaeri.rendering.context import MailContext, template_variables
from okaeri.rendering.footer import append_html, append_text, legal_footer
from okaeri.rendering.sandbox import CLOCK, MAX_SECONDS, Clock, budget


@dataclass(frozen=True, slots=True)
class RenderedMail:
    """A rendered mail before MIME: ``mobile`` says it is the carrier variant (plain text only)."""

    subject: str
    text: str
    html: str | None
    mobile: bool = False


@dataclass(frozen=True, slots=True)
class _Part:
    field: str
    ja: str
    html: bool = False


_SUBJECT: Final = _Part("subject", "件名")
_TEXT: Final = _Part("text", "本文")
_HTML: Final = _Part("html", "HTML 本文", html=True)
_MOBILE_TEXT: Final = _Part("mobile_text", "携帯向け本文")

_LINE_BREAKERS = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]+")
_SPACES = re.compile(r" {2,}")


def single_line(value: str) -> str:
    """``value`` with every control, line/paragraph separator and bidi control made one space.

    What any header value goes through: nothing a merge value carries can end a header line.
    """
    return _SPACES.sub(" ", _LINE_BREAKERS.sub(" ", value)).strip(" ")


def render_template(
    template: Template, ctx: MailContext, *, mobile: bool = False, clock: Clock = CLOCK
) -> RenderedMail:
    """Render ``template`` for ``ctx`` in the sandbox, with the legal footer on advertising mail.

    ``mobile`` renders the carrier variant: ``mobile_text`` (or ``text``), no HTML. Every part is
    compiled (and so checked) before any is rendered, so a broken part never spends a coupon code.
    Rendering all parts may take ``MAX_SECONDS`` by ``clock`` (the thread's CPU time).
    """
    footer = legal_footer(ctx) if ctx.advertising else None
    body = _MOBILE_TEXT if mobile and template.mobile_text else _TEXT
    parts = [_SUBJECT, body] + ([_HTML] if template.html and not mobile else [])
    compiled = {part: _compile(template, part) for part in parts}
    variables = template_variables(ctx)
    deadline = clock() + MAX_SECONDS
    rendered: dict[_Part, str] = {}
    for part, code in compiled.items():
        with _errors_of(part), budget(deadline, clock) as spent:
            rendered[part] = render_part(code, variables)
        deadline += spent.excluded  # the host's time in this part is not the next part's either
    text, html = rendered[body], rendered.get(_HTML)
    if footer is not None:
        text = append_text(text, footer)
        html = None if html is None else append_html(html, footer)
    return RenderedMail(subject=single_line(rendered[_SUBJECT]), text=text, html=html, mobile=mobile)


def check_template(template: Template) -> list[str]:
    """Compile every part of ``template``; raise on a syntax error or unknown tag.

    Returns the coupon pools the template hands out codes from (sorted), e.g. ``["THANKS10"]``.
    """
    pools: set[str] = set()
    for part in (_SUBJECT, _TEXT, _HTML, _MOBILE_TEXT):
        if getattr(template, part.field):
            pools |= _compile(template, part).pools
    return sorted(pools)


def _compile(template: Template, part: _Part) -> CompiledPart:
    with _errors_of(part):
        source: str = getattr(template, part.field)
        return compile_part(source, html=part.html)


@contextmanager
def _errors_of(part: _Part) -> Iterator[None]:
    """Turn whatever a part's compilation or rendering raises into a TemplateError naming the part."""
    try:
        yield
    except TemplateError as exc:
        raise _in_part(part, exc) from exc
    except TemplateSyntaxError as exc:
        error = TemplateError(
            f"テンプレートの書き方に誤りがあります（{exc.lineno}行目）: {exc.message}",
            f"template syntax error (line {exc.lineno}): {exc.message}",
            code="syntax",
        )
        raise _in_part(part, error) from exc
    except SecurityError as exc:
        error = TemplateError(
            f"テンプレートでは使えない操作です: {exc.message}",
            f"not allowed in a template: {exc.message}",
            code="sandbox",
        )
        raise _in_part(part, error) from exc
    except UndefinedError as exc:
        raise _in_part(part, unknown_tag(str(exc.message))) from exc
    except RecursionError as exc:
        error = TemplateError(
            "テンプレートの入れ子・再帰が深すぎます",
            "the template nests or recurses too deeply",
            code="too_large",
        )
        raise _in_part(part, error) from exc
    except (TemplateRuntimeError, TypeError, ValueError, ArithmeticError, LookupError) as exc:
        # what a template's own expressions raise: 1 / 0, int("x"), a string compared with a number…
        error = TemplateError(
            f"テンプレートの実行中にエラーが起きました: {exc}",
            f"the template failed: {exc}",
            code="render_failed",
        )
        raise _in_part(part, error) from exc


def _in_part(part: _Part, error: TemplateError) -> TemplateError:
    return TemplateError(
        f"{part.ja}（{part.field}）: {error.message_ja}", f"{part.field}: {error.message_en}", code=error.code
    )
