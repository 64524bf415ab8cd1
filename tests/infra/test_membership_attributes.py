"""Where roles live (issue #13): the page's client can change no membership, and cannot read the
invitations; the admin function writes both attributes (its grant is in test_least_privilege)."""

from __future__ import annotations

from infra.identity import (
    INVITATIONS_ATTRIBUTE,
    SHOPS_ATTRIBUTE,
    create_client_request,
    create_user_pool_request,
)


def test_the_page_client_writes_only_email_and_reads_no_invitation() -> None:
    client = create_client_request("pool")
    assert client["WriteAttributes"] == ["email"]
    assert f"custom:{INVITATIONS_ATTRIBUTE}" not in client["ReadAttributes"]
    assert f"custom:{SHOPS_ATTRIBUTE}" in client["ReadAttributes"]  # the token the API authorizes from


def test_both_membership_attributes_are_in_the_pool() -> None:
    names = {attribute["Name"] for attribute in create_user_pool_request()["Schema"]}
    assert {SHOPS_ATTRIBUTE, INVITATIONS_ATTRIBUTE} <= names
    assert create_user_pool_request()["AdminCreateUserConfig"] == {"AllowAdminCreateUserOnly": True}
