"""The operators of a shop: Cognito users, their role group and their ``custom:shops``.

A user's role is their highest group (``owner`` > ``manager`` > ``staff``) and applies in every
shop they belong to; the shops are the comma-separated ``custom:shops`` attribute, which Cognito
puts in the ID token the API reads (``okaeri.api.auth``). A change takes effect at the user's
next sign-in (or token refresh, within the hour).

Listing a shop's operators reads the pool's users (Cognito cannot filter on a custom attribute)
and the three role groups, so the cost does not grow with one call per user.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError
from pydantic import BaseModel

from okaeri.errors import ConfigError, ConflictError, NotFoundError

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient

ROLE_GROUPS = ("owner", "manager", "staff")
SHOPS_ATTRIBUTE = "custom:shops"


class Operator(BaseModel):
    username: str
    email: str
    role: str | None
    shops: list[str]
    enabled: bool
    status: str


def _attributes(user: Any) -> dict[str, str]:
    return {
        attribute["Name"]: attribute.get("Value", "")
        for attribute in user.get("Attributes") or user.get("UserAttributes") or []
    }


def _shops(value: str) -> list[str]:
    return [shop for shop in (part.strip() for part in value.split(",")) if shop]


class CognitoUsers:
    def __init__(self, client: CognitoIdentityProviderClient, *, user_pool_id: str) -> None:
        self._client = client
        self._pool = user_pool_id

    def of_shop(self, shop_id: str) -> list[Operator]:
        return sorted((user for user in self._all() if shop_id in user.shops), key=lambda user: user.email)

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
        self, email: str, *, shop_id: str, role: str, temporary_password: str | None = None
    ) -> Operator:
        """Create the user (Cognito mails the temporary password) or add the shop to an existing one
        (enabling them again if removing them from their last shop had disabled them)."""
        existing = self.find(email)
        if existing is not None:
            if shop_id not in existing.shops:
                self._set_shops(existing.username, [*existing.shops, shop_id])
            if not existing.enabled:
                self._client.admin_enable_user(UserPoolId=self._pool, Username=existing.username)
            self.set_role(existing.username, role)
            return self.get(existing.username)
        request: dict[str, Any] = {
            "UserPoolId": self._pool,
            "Username": email,
            "UserAttributes": [
                {"Name": "email", "Value": email},
                {"Name": "email_verified", "Value": "true"},
                {"Name": SHOPS_ATTRIBUTE, "Value": shop_id},
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
        username = created["User"]["Username"]
        self.set_role(username, role)
        return self.get(username)

    def set_role(self, username: str, role: str) -> None:
        if role not in ROLE_GROUPS:
            raise ValueError(f"not a role: {role!r}")
        groups = {
            group["GroupName"]
            for group in self._client.admin_list_groups_for_user(UserPoolId=self._pool, Username=username)[
                "Groups"
            ]
        }
        for group in groups & set(ROLE_GROUPS) - {role}:
            self._client.admin_remove_user_from_group(
                UserPoolId=self._pool, Username=username, GroupName=group
            )
        if role not in groups:
            self._client.admin_add_user_to_group(UserPoolId=self._pool, Username=username, GroupName=role)

    def remove_from_shop(self, username: str, shop_id: str) -> Operator:
        """Take the shop from the user; a user left with no shop is disabled (not deleted: audit)."""
        user = self.get(username)
        if shop_id not in user.shops:
            raise NotFoundError("そのユーザーはこのショップにいません。", "That user is not in this shop.")
        remaining = [shop for shop in user.shops if shop != shop_id]
        self._set_shops(username, remaining)
        if not remaining:
            self._client.admin_disable_user(UserPoolId=self._pool, Username=username)
        return self.get(username)

    def _set_shops(self, username: str, shops: list[str]) -> None:
        self._client.admin_update_user_attributes(
            UserPoolId=self._pool,
            Username=username,
            UserAttributes=[{"Name": SHOPS_ATTRIBUTE, "Value": ",".join(shops)}],
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
    role = next((role for role in ROLE_GROUPS if role in groups), None)
    return Operator(
        username=username,
        email=attributes.get("email", username),
        role=role,
        shops=_shops(attributes.get(SHOPS_ATTRIBUTE, "")),
        enabled=enabled,
        status=status,
    )
