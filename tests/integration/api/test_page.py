"""The admin page's files, served by the admin function: exact routes, headers, a strict policy."""

from __future__ import annotations

import base64
from pathlib import Path

from okaeri.api import build_api
from okaeri.api.admin_page import content_security_policy, page_files
from tests.integration.api.conftest import Api
from tests.support.api_client import ApiClient

INDEX = '<!doctype html><html lang="ja"><script type="module" src="/assets/index-abc.js"></script></html>'


def built_page(tmp_path: Path) -> Path:
    (tmp_path / "assets").mkdir(parents=True)
    (tmp_path / "index.html").write_text(INDEX)
    (tmp_path / "assets" / "index-abc.js").write_text("console.log('おかえり')")
    (tmp_path / "assets" / "logo-1.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\xff")
    (tmp_path / "favicon.svg").write_text("<svg/>")
    return tmp_path


def test_the_index_is_served_at_the_root_under_the_policy(api: Api, tmp_path: Path) -> None:
    client = ApiClient(build_api(api.stack.admin, page_dir=built_page(tmp_path)))
    answer = client.request("GET", "/")
    assert answer.status == 200
    assert answer.text == INDEX
    assert answer.headers["content-type"] == "text/html; charset=utf-8"
    assert answer.headers["cache-control"] == "no-cache"
    assert answer.headers["x-frame-options"] == "DENY"
    policy = answer.headers["content-security-policy"]
    assert policy.startswith("default-src 'self'; ")
    assert "script-src" not in policy  # scripts: 'self' only


def test_assets_are_cached_for_a_year_and_binary_files_go_base64(api: Api, tmp_path: Path) -> None:
    client = ApiClient(build_api(api.stack.admin, page_dir=built_page(tmp_path)))
    script = client.request("GET", "/assets/index-abc.js")
    assert script.status == 200
    assert script.text == "console.log('おかえり')"
    assert script.headers["content-type"] == "text/javascript; charset=utf-8"
    assert script.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert "content-security-policy" not in script.headers
    image = client.request("GET", "/assets/logo-1.png")
    assert image.headers["content-type"] == "image/png"
    assert image.body == b"\x89PNG\r\n\x1a\n\x00\xff"
    assert client.request("GET", "/favicon.svg").headers["cache-control"] == "public, max-age=3600"


def test_nothing_outside_the_built_files_is_served(api: Api, tmp_path: Path) -> None:
    page = built_page(tmp_path / "page")
    (tmp_path / "secret.txt").write_text("not for the web")
    client = ApiClient(build_api(api.stack.admin, page_dir=page))
    for path in ("/../secret.txt", "/assets/../../secret.txt", "/%2e%2e/secret.txt", "/assets/nope.js"):
        answer = client.request("GET", path)
        assert answer.status in (401, 404), path
        assert b"not for the web" not in answer.body
    assert base64.b64encode(b"not for the web") not in client.request("GET", "/secret.txt").body


def test_an_unbuilt_page_serves_nothing_and_the_api_still_works(api: Api, tmp_path: Path) -> None:
    assert page_files(tmp_path) == {}
    client = ApiClient(build_api(api.stack.admin, page_dir=tmp_path))
    assert client.request("GET", "/").status in (401, 404)
    assert client.request("GET", "/config.json").status == 200


def test_the_policy_names_the_user_pool_origin_only() -> None:
    policy = content_security_policy("https://cognito-idp.ap-northeast-1.amazonaws.com/")
    directives = dict(part.split(" ", 1) for part in policy.split("; "))
    assert directives["connect-src"] == "'self' https://cognito-idp.ap-northeast-1.amazonaws.com"
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'none'"
    assert content_security_policy("not a url").split("; ")[1] == "connect-src 'self'"
    assert content_security_policy("/cognito/").split("; ")[1] == "connect-src 'self'"  # the local stack's
