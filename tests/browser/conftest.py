"""The admin page in real headless Chromium (Debian's ``/usr/bin/chromium``, driven by Playwright
from PyPI; Playwright's own browser download is never used) against the local stack.

Each test module gets its own stack (``tests.e2e.conftest.running_stack``: free loopback ports,
a frozen clock at ``START``, the demo shop) and one browser; each test a fresh context (no
storage shared between tests). ``make test`` builds the page (``make web``) and installs
Chromium and ``fonts-noto-cjk`` (``make browser``) first; without them these tests fail, they are
never skipped. ``OKAERI_PAGE_DIR`` points the stack at another build of the page.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect, sync_playwright

from functions.admin.handler import PAGE_DIR
from okaeri_dev.stack import LocalStack

# ``local`` and ``staff_password`` are the e2e fixtures, over this module's ``stack``.
from tests.e2e.conftest import OWNER_PASSWORD, local, running_stack, staff_password  # noqa: F401

CHROMIUM = Path("/usr/bin/chromium")
#: As root in a container, with nothing reaching out to Google's services on a closed network.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}
OWNER_EMAIL = "owner@okaeri.local"
STAFF_EMAIL = "staff@okaeri.local"
#: Playwright's default wait; a loaded CI machine with a clock move in flight can be slow.
TIMEOUT_MS = 20_000

expect.set_options(timeout=TIMEOUT_MS)


def page_dir() -> Path:
    directory = Path(os.environ.get("OKAERI_PAGE_DIR") or PAGE_DIR)
    if not (directory / "index.html").is_file():
        pytest.fail(f"the admin page is not built in {directory}: run `make web`", pytrace=False)
    return directory


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is not installed: run `make browser`", pytrace=False)
    with sync_playwright() as running:
        yield running


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    launched = playwright.chromium.launch(
        executable_path=str(CHROMIUM), args=list(CHROMIUM_ARGS), headless=True
    )
    yield launched
    launched.close()


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    with running_stack(page_dir=page_dir()) as running:
        yield running


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    made = browser.new_context(viewport=DESKTOP, locale="ja-JP", timezone_id="Asia/Tokyo")
    made.set_default_timeout(TIMEOUT_MS)
    yield made
    made.close()


@pytest.fixture
def page(context: BrowserContext) -> Iterator[Page]:
    """A blank page that fails the test on any uncaught script error or CSP violation."""
    opened = context.new_page()
    problems: list[str] = []
    opened.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    opened.on(
        "console",
        lambda message: (
            problems.append(f"console: {message.text}")
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )
    yield opened
    assert not problems, problems


def sign_in(page: Page, stack: LocalStack, email: str = OWNER_EMAIL, password: str = OWNER_PASSWORD) -> None:
    """Signs in through the page's own form (Japanese labels) and waits for the shell."""
    page.goto(stack.gateway_url + "/")
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("パスワード").fill(password)
    page.get_by_role("button", name="ログイン").click()
    expect(page.locator(".topbar")).to_be_visible()
    expect(page).to_have_url(re.compile(r"#/[^/]+/dashboard$"))  # the shell has picked the first shop
    expect(page.get_by_test_id("role")).to_be_attached()  # shown in the top bar from 720 px up


@pytest.fixture
def owner_page(page: Page, stack: LocalStack) -> Page:
    sign_in(page, stack)
    return page


def open_screen(page: Page, stack: LocalStack, screen: str, *rest: str, shop: str = "demo") -> None:
    """Goes to ``#/<shop>/<screen>/…`` and waits for the screen's menu entry to be current."""
    page.goto(f"{stack.gateway_url}/#/{'/'.join((shop, screen, *rest))}")
    expect(page.locator(f'#nav a[aria-current="page"][href^="#/{shop}/{screen}"]')).to_be_visible()


def screenshot(page: Page, name: str) -> Path:
    """Saves ``docs/screenshots/<name>.png`` (the README links them): the whole page, no notices."""
    if not re.fullmatch(r"[a-z0-9-]+", name):
        raise ValueError(name)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.evaluate("window.scrollTo(0, 0)")  # sticky and fixed parts sit where a full page shows them
    notices = page.locator(".notices")
    notices.evaluate("element => { element.style.visibility = 'hidden'; }")
    try:
        page.screenshot(path=str(path), full_page=True, animations="disabled")
    finally:
        notices.evaluate("element => { element.style.visibility = ''; }")
    return path
