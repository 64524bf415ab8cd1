"""The operators' Cognito user pool, defined once: the CDK stack and the local stack build from here.

Plain data (no CDK import). A role belongs to the pair (operator, shop): the custom attribute
``shops`` holds ``shop:role`` entries (comma separated), which Cognito copies into the ID token as
``custom:shops``; ``invitations`` holds the invitations not yet answered, in the same format, and is
not in the token (the page's client may neither read nor write it). Only the admin function writes
either (``okaeri.membership``). The role groups remain for entries written before roles were per shop.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient

ROLE_GROUPS: tuple[tuple[str, str], ...] = (
    ("owner", "店長: すべて（ユーザー管理を含む） / everything, including the shop's users"),
    ("manager", "設定・シナリオ・テンプレート・配信 / settings, scenarios, templates, deliveries"),
    ("staff", "閲覧と配信の停止・日時変更・再送 / read; stop, reschedule, resend deliveries"),
)
SHOPS_ATTRIBUTE = "shops"  # custom:shops in tokens
SHOPS_ATTRIBUTE_MAX = 2048
INVITATIONS_ATTRIBUTE = "invitations"  # custom:invitations, read by the admin function only
#: Operators sign in with their e-mail address and a password (SRP in the page, or USER_PASSWORD_AUTH).
AUTH_FLOWS: tuple[str, ...] = ("ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")
#: Cognito sets MFA per user pool, not per group: to have owners and managers sign in with a second
#: factor, the pool requires it of every operator (staff too). Authenticator apps (TOTP) only: no SMS
#: costs, no SIM-swap risk. The page walks a new operator through MFA_SETUP on first sign-in.
MFA_CONFIGURATION = "ON"
MFA_METHODS: tuple[str, ...] = ("SOFTWARE_TOKEN_MFA",)
ID_TOKEN_MINUTES = 60
AUTH_SESSION_MINUTES = 15
REFRESH_TOKEN_DAYS = 30


@dataclass(frozen=True)
class PasswordPolicy:
    minimum_length: int = 12
    require_lowercase: bool = True
    require_uppercase: bool = True
    require_digits: bool = True
    require_symbols: bool = True
    temporary_password_days: int = 3

    def written(self) -> dict[str, Any]:
        """As Cognito's API (``CreateUserPool``) and CloudFormation (``Policies.PasswordPolicy``) write it."""
        return {written: getattr(self, name) for name, written in _WRITTEN_POLICY.items()}


#: The policy's fields as Cognito writes them.
_WRITTEN_POLICY = {
    "minimum_length": "MinimumLength",
    "require_lowercase": "RequireLowercase",
    "require_uppercase": "RequireUppercase",
    "require_digits": "RequireNumbers",
    "require_symbols": "RequireSymbols",
    "temporary_password_days": "TemporaryPasswordValidityDays",
}
PASSWORD_POLICY = PasswordPolicy()
USER_POOL_NAME = "okaeri-operators"
CLIENT_NAME = "okaeri-admin-page"


def create_user_pool_request(name: str = USER_POOL_NAME) -> dict[str, Any]:
    """``cognito-idp:CreateUserPool`` arguments for the pool (the local stack's and the tests')."""
    return {
        "PoolName": name,
        "UsernameAttributes": ["email"],
        "AutoVerifiedAttributes": ["email"],
        "Policies": {"PasswordPolicy": PASSWORD_POLICY.written()},
        "Schema": [
            {
                "Name": SHOPS_ATTRIBUTE,
                "AttributeDataType": "String",
                "Mutable": True,
                "StringAttributeConstraints": {"MinLength": "0", "MaxLength": str(SHOPS_ATTRIBUTE_MAX)},
            },
            {
                "Name": INVITATIONS_ATTRIBUTE,
                "AttributeDataType": "String",
                "Mutable": True,
                "StringAttributeConstraints": {"MinLength": "0", "MaxLength": str(SHOPS_ATTRIBUTE_MAX)},
            },
        ],
        "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": True},
    }


def set_mfa_config_request(user_pool_id: str) -> dict[str, Any]:
    """``cognito-idp:SetUserPoolMfaConfig`` arguments: TOTP on (CreateUserPool cannot enable it)."""
    return {
        "UserPoolId": user_pool_id,
        "SoftwareTokenMfaConfiguration": {"Enabled": "SOFTWARE_TOKEN_MFA" in MFA_METHODS},
        "MfaConfiguration": MFA_CONFIGURATION,
    }


def create_client_request(user_pool_id: str, name: str = CLIENT_NAME) -> dict[str, Any]:
    """``cognito-idp:CreateUserPoolClient`` arguments: a public client (no secret) for the page."""
    return {
        "UserPoolId": user_pool_id,
        "ClientName": name,
        "GenerateSecret": False,
        "ExplicitAuthFlows": list(AUTH_FLOWS),
        "ReadAttributes": ["email", f"custom:{SHOPS_ATTRIBUTE}"],
        "WriteAttributes": ["email"],
        "IdTokenValidity": ID_TOKEN_MINUTES,
        "AccessTokenValidity": ID_TOKEN_MINUTES,
        "RefreshTokenValidity": REFRESH_TOKEN_DAYS,
        "TokenValidityUnits": {"IdToken": "minutes", "AccessToken": "minutes", "RefreshToken": "days"},
        "PreventUserExistenceErrors": "ENABLED",
        # minutes an operator has between the password and the MFA code (the maximum): scanning the
        # QR code with a new authenticator app takes longer than Cognito's default 3 minutes
        "AuthSessionValidity": AUTH_SESSION_MINUTES,
    }


def create_groups_requests(user_pool_id: str) -> list[dict[str, Any]]:
    return [
        {"UserPoolId": user_pool_id, "GroupName": group, "Description": description, "Precedence": rank}
        for rank, (group, description) in enumerate(ROLE_GROUPS)
    ]


def create_user_pool(cognito: CognitoIdentityProviderClient) -> tuple[str, str]:
    """The pool, its MFA settings, the page's client and the role groups, made with ``cognito``
    (the local stack's moto server, the tests' moto); the pool's id and the client's."""
    pool_id = cognito.create_user_pool(**create_user_pool_request())["UserPool"]["Id"]
    cognito.set_user_pool_mfa_config(**set_mfa_config_request(pool_id))
    client_id = cognito.create_user_pool_client(**create_client_request(pool_id))["UserPoolClient"][
        "ClientId"
    ]
    for group in create_groups_requests(pool_id):
        cognito.create_group(**group)
    return pool_id, client_id
