"""The admin page's built files (``web/`` → ``make web`` → ``functions/admin/static``), served by
the admin function at the API's origin.

Each file becomes one exact ``GET`` route when the resolver is built, so nothing outside the
built folder can ever be read (no path is joined from a request). ``index.html`` is served at ``/``
under a Content-Security-Policy with ``default-src 'self'`` and no inline script; the page talks
to the API (same origin) and to the user pool's endpoint only. Hashed files under ``assets/`` are
cached for a year; ``index.html`` is revalidated on every load.
"""

from __future__ import annotations

import inspect
import mimetypes
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response

from okaeri.settings import AdminSettings

INDEX: Final = "index.html"
#: Text types are served as text; anything else goes base64-encoded, as API Gateway expects.
TEXT_TYPES: Final = ("text/", "application/javascript", "application/json", "image/svg+xml")
IMMUTABLE: Final = "public, max-age=31536000, immutable"
REVALIDATE: Final = "no-cache"
SHORT: Final = "public, max-age=3600"


def content_security_policy(cognito_endpoint: str) -> str:
    """Scripts, styles' files, fonts and fetches from this origin; sign-in calls to the user pool.

    ``style-src 'unsafe-inline'`` is there for one reason: a mail preview (``srcdoc`` in a sandboxed
    iframe, which inherits this policy) must show the mail's own inline styles. Scripts stay
    ``'self'`` only, and the sandbox runs none.
    """
    parts = urlsplit(cognito_endpoint)
    cognito_origin = f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""
    return "; ".join(
        (
            "default-src 'self'",
            f"connect-src 'self' {cognito_origin}".strip(),
            "img-src 'self' data: https:",
            "style-src 'self' 'unsafe-inline'",
            "frame-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


def _content_type(path: Path) -> str:
    guessed = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"{guessed}; charset=utf-8" if guessed.startswith(TEXT_TYPES) else guessed


def _cache_control(relative: str) -> str:
    if relative == INDEX:
        return REVALIDATE
    return IMMUTABLE if relative.startswith("assets/") else SHORT


def page_files(page_dir: Path) -> dict[str, Path]:
    """``relative/path`` → file, for every file of the built page (none when it is not built)."""
    if not (page_dir / INDEX).is_file():
        return {}
    return {
        path.relative_to(page_dir).as_posix(): path for path in sorted(page_dir.rglob("*")) if path.is_file()
    }


def sign_in_endpoint(settings: AdminSettings) -> str:
    """The user pool's endpoint: Cognito's regional one, or in the local stack a path on the page's
    own origin (its gateway's proxy to the emulator; a client resolves it against ``/config.json``'s URL)."""
    return settings.cognito_endpoint or f"https://cognito-idp.{settings.aws_region}.amazonaws.com/"


def register_page(app: APIGatewayHttpResolver, page_dir: Path, *, cognito_endpoint: str) -> int:
    """One route per built file (``/`` for the index); returns how many files are served."""
    files = page_files(page_dir)
    common = {
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    }
    page_headers = {
        **common,
        "Content-Security-Policy": content_security_policy(cognito_endpoint),
        "X-Frame-Options": "DENY",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    }
    for relative, path in files.items():
        content_type = _content_type(path)
        data = path.read_bytes()
        body: str | bytes = data.decode("utf-8") if content_type.startswith(TEXT_TYPES) else data
        headers = {
            **(page_headers if relative == INDEX else common),
            "Cache-Control": _cache_control(relative),
        }
        _serve(app, "/" if relative == INDEX else f"/{relative}", content_type, body, headers)
    return len(files)


def _serve(
    app: APIGatewayHttpResolver, route: str, content_type: str, body: str | bytes, headers: dict[str, str]
) -> None:
    def page_file() -> Response[Any]:
        return Response(200, content_type, body, headers=dict(headers))

    # No return annotation as the resolver sees it: its response validation would serialise the body
    # as JSON text (and fail on an image's bytes); a file goes out exactly as built.
    setattr(page_file, "__signature__", inspect.Signature())  # noqa: B010
    app.get(route, include_in_schema=False, security=[])(page_file)
