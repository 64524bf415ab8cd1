"""The operators of the shops: Cognito users, their role in each shop and their invitations.

A role belongs to the pair (operator, shop): ``custom:shops`` holds ``shop:role`` entries and
``custom:invitations`` the shops an operator has been invited to and not yet answered
(``okaeri.membership``). Cognito puts ``custom:shops`` in the ID token the API reads
(``okaeri.api.auth``); only this adapter, in the admin function, writes either attribute. A change
takes effect at the user's next sign-in (or token refresh, within the hour).

Role groups are read only for entries written before roles were per shop (``shop`` without a role
takes the user's highest group); every write spells the entries out, and no group is written.

Listing a shop's operators reads the pool's users (Cognito cannot filter on a custom attribute)
and the three role groups, so the cost does not grow with one call per user.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from okaeri.errors import ConfigError, ConflictError, NotFoundError
from okaeri.membership import Role, format_memberships, highest_role, parse_memberships
from okaeri.models.admin import Operator

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient
    from mypy_boto3_cognito_idp.type_defs import AttributeTypeTypeDef

ROLE_GROUPS = ("owner", "manager", "staff")
SHOPS_ATTRIBUTE = "custom:shops"
INVITATIONS_ATTRIBUTE = "custom:invitations"


def _attributes(user: Any) -> dict[str, str]:
    return {
        attribute["Name"]: attribute.get("Value", "")
        for attribute in user.get("Attributes") or user.get("UserAttributes") or []
    }


class CognitoUsers:
    def __init__(self, client: CognitoIdentityProviderClient, *, user_pool_id: str) -> None:
        self._client = client
        self._pool = user_pool_id

    def of_shop(self, shop_id: str) -> list[Operator]:
        """The shop's operators and the people invited to it (sorted by address)."""
        return sorted(
            (user for user in self._all() if shop_id in user.roles or shop_id in user.invitations),
            key=lambda user: user.email,
        )

    def find(self, username: str) -> Operator | None:
        """The user, or None when there is no such user."""
        try:
            return self.get(username)
        except NotFoundError:
            return None

    def get(self, username: str) -> Operator:
        """The user by username or e-mail address (always answered with the real username)."""
        try:
            user = self._client.admin_get_user(UserPoolId=self._pool, Username=username)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "UserNotFoundException":
                raise NotFoundError("そのユーザーはいません。", "No such user.") from None
            raise
        return self._operator(
            str(user.get("Username") or username),
            _attributes(user),
            bool(user.get("Enabled", True)),
            str(user.get("UserStatus", "")),
        )

    def invite(
        self, email: str, *, shop_id: str, role: Role, temporary_password: str | None = None
    ) -> Operator:
        """Invite the address to the shop: the invitation grants nothing until they accept it.

        A new address gets an account (Cognito mails the temporary password) with the invitation and
        no shop; an existing account gets the invitation added (and is enabled again if removing it
        from its last shop had disabled it, so that its owner can sign in to answer)."""
        existing = self.find(email)
        if existing is not None:
            self._write(existing.username, invitations={**existing.invitations, shop_id: role})
            if not existing.enabled:
                self._client.admin_enable_user(UserPoolId=self._pool, Username=existing.username)
            return self.get(existing.username)
        request: dict[str, Any] = {
            "UserPoolId": self._pool,
            "Username": email,
            "UserAttributes": [
                {"Name": "email", "Value": email},
                {"Name": "email_verified", "Value": "true"},
                {"Name": SHOPS_ATTRIBUTE, "Value": ""},
                {"Name": INVITATIONS_ATTRIBUTE, "Value": format_memberships({shop_id: role})},
            ],
            "DesiredDeliveryMediums": ["EMAIL"],
        }
        if temporary_password:
            request["TemporaryPassword"] = temporary_password
        try:
            created = self._client.admin_create_user(**request)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code")
            if code == "UsernameExistsException":
                raise ConflictError("そのユーザーは既にいます。", "That user exists already.") from None
            if code in {"InvalidParameterException", "InvalidPasswordException"}:
                message = exc.response.get("Error", {}).get("Message", "")
                raise ConfigError(
                    f"ユーザーを作成できません: {message}", f"The user cannot be created: {message}"
                ) from None
            raise
        return self.get(created["User"]["Username"])

    def answer_invitation(self, username: str, shop_id: str, *, accept: bool) -> Role:
        """Accept (the invited role in the shop becomes theirs) or decline the user's invitation to
        the shop; the role invited to. 404 when there is no such invitation."""
        user = self.get(username)
        role = user.invitations.get(shop_id)
        if role is None:
            raise NotFoundError("その招待はありません。", "There is no such invitation.")
        invitations = {shop: held for shop, held in user.invitations.items() if shop != shop_id}
        roles = {**user.roles, shop_id: role} if accept else user.roles
        self._write(username, roles=roles, invitations=invitations)
        return role

    def set_role(self, username: str, shop_id: str, role: Role) -> Operator:
        """The user's role in this shop (and in no other)."""
        user = self.get(username)
        if shop_id not in user.roles:
            raise NotFoundError("そのユーザーはこのショップにいません。", "That user is not in this shop.")
        self._write(username, roles={**user.roles, shop_id: role})
        return self.get(username)

    def remove_from_shop(self, username: str, shop_id: str) -> Operator:
        """Take the shop (or the invitation to it) from the user; a user left with no shop and no
        invitation is disabled (not deleted: audit)."""
        user = self.get(username)
        if shop_id not in user.roles and shop_id not in user.invitations:
            raise NotFoundError("そのユーザーはこのショップにいません。", "That user is not in this shop.")
        roles = {shop: role for shop, role in user.roles.items() if shop != shop_id}
        invitations = {shop: role for shop, role in user.invitations.items() if shop != shop_id}
        self._write(username, roles=roles, invitations=invitations)
        if not roles and not invitations:
            self._client.admin_disable_user(UserPoolId=self._pool, Username=username)
        return self.get(username)

    def _write(
        self,
        username: str,
        *,
        roles: dict[str, Role] | None = None,
        invitations: dict[str, Role] | None = None,
    ) -> None:
        attributes: list[AttributeTypeTypeDef] = []
        if roles is not None:
            attributes.append({"Name": SHOPS_ATTRIBUTE, "Value": format_memberships(roles)})
        if invitations is not None:
            attributes.append({"Name": INVITATIONS_ATTRIBUTE, "Value": format_memberships(invitations)})
        self._client.admin_update_user_attributes(
            UserPoolId=self._pool, Username=username, UserAttributes=attributes
        )

    def _all(self) -> Iterator[Operator]:
        groups = self._group_members()
        for page in self._client.get_paginator("list_users").paginate(UserPoolId=self._pool):
            for user in page["Users"]:
                username = user["Username"]
                yield _operator(
                    username,
                    _attributes(user),
                    {group for group, members in groups.items() if username in members},
                    bool(user.get("Enabled", True)),
                    str(user.get("UserStatus", "")),
                )

    def _group_members(self) -> dict[str, set[str]]:
        paginator = self._client.get_paginator("list_users_in_group")
        return {
            group: {
                user["Username"]
                for page in paginator.paginate(UserPoolId=self._pool, GroupName=group)
                for user in page["Users"]
            }
            for group in ROLE_GROUPS
        }

    def _operator(self, username: str, attributes: dict[str, str], enabled: bool, status: str) -> Operator:
        groups = {
            group["GroupName"]
            for group in self._client.admin_list_groups_for_user(UserPoolId=self._pool, Username=username)[
                "Groups"
            ]
        }
        return _operator(username, attributes, groups, enabled, status)


def _operator(
    username: str, attributes: dict[str, str], groups: set[str], enabled: bool, status: str
) -> Operator:
    return Operator(
        username=username,
        email=attributes.get("email", username),
        roles=parse_memberships(attributes.get(SHOPS_ATTRIBUTE), legacy_role=highest_role(groups)),
        invitations=parse_memberships(attributes.get(INVITATIONS_ATTRIBUTE)),
        enabled=enabled,
        status=status,
    )
