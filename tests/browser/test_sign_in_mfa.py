"""Two-step sign-in: the pool requires an authenticator app (TOTP) of every operator.

An invited operator sets a new password, registers the app (QR code and key, then a code) and lands
on the dashboard; next time, and for an operator who has a key already, the page asks for the code.
moto checks the codes here (``MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP``, read on every call by the
moto server that runs in this process) and the test computes them from the key the page shows, as
an authenticator app does (``tests.support.totp``), so a wrong code is refused as in the cloud.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from playwright.sync_api import Page, Route, expect

from okaeri_dev.stack import LocalStack
from tests.browser.conftest import OWNER_EMAIL, screenshot
from tests.e2e.conftest import OWNER_PASSWORD
from tests.e2e.local import REGION, LocalClient
from tests.support.totp import fresh_code, wrong_code

INVITED = "new.operator@example.com"
TEMPORARY_PASSWORD = "Okaeri-Temporary-1!"
NEW_PASSWORD = "Okaeri-Chosen-Pass-2!"
ENROLLED = "enrolled.staff@example.com"
ENROLLED_PASSWORD = "Okaeri-Enrolled-3!"


@pytest.fixture(scope="module", autouse=True)
def codes_checked() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP", "true")
        yield


def cognito(stack: LocalStack) -> Any:
    """The stack's user pool, as an AWS administrator reaches it (the emulator's own port: the
    gateway's ``/cognito/`` carries only what a client sends)."""
    return boto3.client(
        "cognito-idp",
        endpoint_url=stack.aws_url,
        region_name=REGION,
        aws_access_key_id="browser",
        aws_secret_access_key="browser",
    )


def enter_password(page: Page, stack: LocalStack, email: str, password: str) -> None:
    page.goto(stack.gateway_url + "/")
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("パスワード").fill(password)
    page.get_by_role("button", name="ログイン", exact=True).click()


def expect_dashboard(page: Page, role: str) -> None:
    expect(page.locator(".topbar")).to_be_visible()
    expect(page).to_have_url(re.compile(r"#/demo/dashboard$"))
    expect(page.get_by_test_id("role")).to_have_text(role)


def shown_secret(page: Page) -> str:
    shown = page.get_by_test_id("totp-secret").inner_text()
    assert re.fullmatch(r"(\w{4} )*\w{1,4}", shown), shown  # grouped in fours
    return shown.replace(" ", "")


def register_the_app(page: Page, email: str) -> None:
    """The MFA_SETUP screen: QR code and key for ``email``; a wrong code, then the right one."""
    expect(page.get_by_role("heading", name="2段階認証の設定")).to_be_visible()
    expect(page.get_by_text("Google Authenticator、Microsoft Authenticator、1Password")).to_be_visible()
    qr = page.get_by_role("img", name="認証アプリに登録するためのQRコード")
    expect(qr).to_be_visible()
    assert qr.locator("path").get_attribute("d")  # dark modules drawn
    secret = shown_secret(page)
    expect(page.get_by_test_id("totp-link")).to_have_attribute(
        "href", f"otpauth://totp/Okaeri:{email}?secret={secret}&issuer=Okaeri"
    )
    code = page.get_by_label("確認コード（6桁）")
    expect(code).to_have_attribute("inputmode", "numeric")
    expect(code).to_have_attribute("autocomplete", "one-time-code")

    code.fill(wrong_code(secret))
    page.get_by_role("button", name="登録してログイン").click()
    expect(page.get_by_role("alert")).to_contain_text("確認コードが正しくありません")
    expect(code).to_have_value("")
    expect(page.get_by_test_id("totp-secret")).to_have_text(re.compile(r"\S"))  # still the same screen

    code.fill(fresh_code(secret))
    page.get_by_role("button", name="登録してログイン").click()


def test_an_invited_operator_registers_an_authenticator_app_on_first_sign_in(
    page: Page, stack: LocalStack, local: LocalClient
) -> None:
    owner = local.sign_in(OWNER_EMAIL, OWNER_PASSWORD)
    invited = local.post("/api/shops/demo/users", {"email": INVITED, "role": "manager"}, token=owner)
    assert invited.status == 201, invited.body
    # Cognito mails a temporary password; here the administrator sets a known one instead.
    cognito(stack).admin_set_user_password(
        UserPoolId=stack.user_pool_id, Username=INVITED, Password=TEMPORARY_PASSWORD, Permanent=False
    )

    enter_password(page, stack, INVITED, TEMPORARY_PASSWORD)
    page.get_by_label("新しいパスワード").fill(NEW_PASSWORD)
    page.get_by_role("button", name="ログイン", exact=True).click()
    expect(page.get_by_test_id("totp-qr")).to_be_visible()
    screenshot(page, "sign-in-mfa-setup")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("button", name="キーをコピー").click()
    expect(page.get_by_test_id("notice-success")).to_contain_text("キーをコピーしました")
    assert page.evaluate("navigator.clipboard.readText()") == shown_secret(page)  # without the spaces
    register_the_app(page, INVITED)
    # An invitation grants nothing until accepted (roles are per shop): the page offers it first.
    invitations = page.get_by_test_id("invitations")
    expect(invitations).to_contain_text("demo")
    expect(invitations).to_contain_text("マネージャー")
    expect(page.locator(".topbar")).to_have_count(0)
    invitations.get_by_role("button", name="参加する").click()
    expect_dashboard(page, "マネージャー")
    expect(page.get_by_test_id("invitations")).to_have_count(0)

    # The key is registered: the next sign-in (new password) asks for the app's code.
    page.get_by_role("button", name="ログアウト").click()
    enter_password(page, stack, INVITED, NEW_PASSWORD)
    expect(page.get_by_role("heading", name="確認コードの入力")).to_be_visible()


@pytest.fixture(scope="module")
def enrolled(stack: LocalStack) -> str:
    """A staff user who registered an app earlier (AssociateSoftwareToken + VerifySoftwareToken, TOTP
    enabled and preferred); the key, as their app holds it."""
    pool = cognito(stack)
    pool.admin_create_user(
        UserPoolId=stack.user_pool_id,
        Username=ENROLLED,
        UserAttributes=[
            {"Name": "email", "Value": ENROLLED},
            {"Name": "email_verified", "Value": "true"},
            {"Name": "custom:shops", "Value": "demo"},
        ],
        MessageAction="SUPPRESS",
    )
    pool.admin_set_user_password(
        UserPoolId=stack.user_pool_id, Username=ENROLLED, Password=ENROLLED_PASSWORD, Permanent=True
    )
    pool.admin_add_user_to_group(UserPoolId=stack.user_pool_id, Username=ENROLLED, GroupName="staff")
    tokens = pool.initiate_auth(
        ClientId=stack.user_pool_client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": ENROLLED, "PASSWORD": ENROLLED_PASSWORD},
    )["AuthenticationResult"]
    secret = str(pool.associate_software_token(AccessToken=tokens["AccessToken"])["SecretCode"])
    pool.verify_software_token(AccessToken=tokens["AccessToken"], UserCode=fresh_code(secret))
    pool.admin_set_user_mfa_preference(
        UserPoolId=stack.user_pool_id,
        Username=ENROLLED,
        SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True},
    )
    return secret


def test_an_operator_with_a_key_is_asked_for_the_code(page: Page, stack: LocalStack, enrolled: str) -> None:
    secret = enrolled
    enter_password(page, stack, ENROLLED, ENROLLED_PASSWORD)
    expect(page.get_by_role("heading", name="確認コードの入力")).to_be_visible()
    code = page.get_by_label("確認コード（6桁）")
    expect(code).to_be_focused()
    expect(code).to_have_attribute("inputmode", "numeric")
    expect(code).to_have_attribute("autocomplete", "one-time-code")
    screenshot(page, "sign-in-mfa-code")

    code.fill(wrong_code(secret))
    page.get_by_role("button", name="確認してログイン").click()
    expect(page.get_by_role("alert")).to_contain_text("確認コードが正しくありません")
    expect(code).to_have_value("")

    code.fill(fresh_code(secret))
    page.get_by_role("button", name="確認してログイン").click()
    expect_dashboard(page, "スタッフ")


def cognito_endpoint(stack: LocalStack) -> str:
    """Where the page calls Cognito: ``/config.json``'s endpoint, on the page's own origin."""
    return f"{stack.gateway_url}/cognito/"


def cognito_target(route: Route) -> str:
    return (route.request.headers.get("x-amz-target") or "").rsplit(".", 1)[-1]


def invite(stack: LocalStack, email: str, *, group: str | None = None) -> None:
    """An operator of shop demo with TEMPORARY_PASSWORD, as an invitation leaves them."""
    pool = cognito(stack)
    pool.admin_create_user(
        UserPoolId=stack.user_pool_id,
        Username=email,
        UserAttributes=[{"Name": "email", "Value": email}, {"Name": "custom:shops", "Value": "demo"}],
        TemporaryPassword=TEMPORARY_PASSWORD,
        MessageAction="SUPPRESS",
    )
    if group:
        pool.admin_add_user_to_group(UserPoolId=stack.user_pool_id, Username=email, GroupName=group)


def session_expired(page: Page, stack: LocalStack, operation: str, message: str) -> None:
    """Cognito answers ``operation`` as it does once the sign-in session has run out."""

    def expired(route: Route) -> None:
        if cognito_target(route) != operation:
            route.fallback()
            return
        route.fulfill(
            status=400,
            content_type="application/x-amz-json-1.1",
            body=json.dumps({"__type": "NotAuthorizedException", "message": message}),
        )

    page.route(cognito_endpoint(stack), expired)


def test_an_expired_sign_in_session_returns_to_the_password(
    page: Page, stack: LocalStack, enrolled: str
) -> None:
    """Cognito's sign-in session lasts minutes: past it, the code step says so and starts again."""

    session_expired(
        page, stack, "RespondToAuthChallenge", "Invalid session for the user, session is expired."
    )
    enter_password(page, stack, ENROLLED, ENROLLED_PASSWORD)
    page.get_by_label("確認コード（6桁）").fill("123456")
    page.get_by_role("button", name="確認してログイン").click()
    expect(page.get_by_role("alert")).to_contain_text("ログインの手続きが無効になりました")
    expect(page.get_by_label("メールアドレス")).to_have_value(ENROLLED)
    expect(page.get_by_label("パスワード")).to_have_value("")


def test_an_operator_without_a_key_registers_one_after_the_password(page: Page, stack: LocalStack) -> None:
    """Cognito asks an operator who has a password but no key yet for MFA_SETUP at once. moto signs
    such a user straight in, so the test hands the page Cognito's answer: a real moto sign-in
    session (from a temporary password) with the challenge renamed. The rest is moto's own."""
    email = "no.key.yet@example.com"
    invite(stack, email, group="manager")

    def as_cognito(route: Route) -> None:
        if cognito_target(route) != "InitiateAuth":
            route.fallback()
            return
        answer = route.fetch()
        document = answer.json()
        assert document["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
        document["ChallengeName"] = "MFA_SETUP"
        document["ChallengeParameters"] = {"MFAS_CAN_SETUP": '["SOFTWARE_TOKEN_MFA"]'}
        route.fulfill(response=answer, body=json.dumps(document))

    page.route(cognito_endpoint(stack), as_cognito)
    enter_password(page, stack, email, TEMPORARY_PASSWORD)
    register_the_app(page, email)
    expect_dashboard(page, "マネージャー")


def test_an_expired_registration_returns_to_the_password_and_says_a_new_key_follows(
    page: Page, stack: LocalStack
) -> None:
    email = "slow.registration@example.com"
    invite(stack, email)

    session_expired(page, stack, "VerifySoftwareToken", "Invalid session for the user.")
    enter_password(page, stack, email, TEMPORARY_PASSWORD)
    page.get_by_label("新しいパスワード").fill(NEW_PASSWORD)
    page.get_by_role("button", name="ログイン", exact=True).click()
    page.get_by_label("確認コード（6桁）").fill(fresh_code(shown_secret(page)))
    page.get_by_role("button", name="登録してログイン").click()
    expect(page.get_by_role("alert")).to_contain_text("登録の手続きが無効になりました")
    expect(page.get_by_role("alert")).to_contain_text("新しいキーが表示される")
    expect(page.get_by_label("パスワード")).to_have_value("")
