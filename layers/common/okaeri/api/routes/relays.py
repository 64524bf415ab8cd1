"""``/api/shops/<shop_id>/relays``: SMTP relays by recipient domain (settings → relays).

Rakuten's masked buyer addresses (楽天あんしんメルアド) accept mail only through Rakuten's relay,
with the shop's RMS credentials. The relay (host, port, domains, From) is in the config table; the
credentials are in Secrets Manager as ``okaeri/relay/<shop>/<name>`` (``{"username", "password"}``)
and are write-only: reads say only whether they are set.

- ``GET /relays`` (staff): every relay, ``credentials_set`` instead of the credentials;
- ``PUT /relays/<name>`` (manager): create or edit; ``username`` / ``password`` left out keep the
  stored ones (a new relay needs both);
- ``DELETE /relays/<name>`` (manager): the relay and its credentials.
"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Path
from pydantic import BaseModel, ConfigDict, Field, SecretStr

from okaeri.api.common import MANAGER, SHOP_PATH, STAFF, shop_caller
from okaeri.api.deps import AdminDeps
from okaeri.api.support import audit
from okaeri.errors import BadRequestError, NotFoundError
from okaeri.mail_address import MailAddress
from okaeri.models import RelayConfig

SECRET_PREFIX = "okaeri/relay"
RELAY_NAME = r"^[a-z0-9][a-z0-9-]{0,39}$"
HOST = r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"
DOMAIN = r"^(?:\*\.)?[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
RelayName = Annotated[str, Path(pattern=RELAY_NAME, description="the relay's name, e.g. rakuten")]


def secret_id(shop_id: str, name: str) -> str:
    return f"{SECRET_PREFIX}/{shop_id}/{name}"


class RelayView(BaseModel):
    model_config = ConfigDict(defer_build=True)

    name: str
    host: str
    port: int
    domains: list[str]
    mail_from: str | None
    credentials_set: bool = Field(description="whether the username and password are stored (never shown)")


class RelayList(BaseModel):
    model_config = ConfigDict(defer_build=True)

    items: list[RelayView]


class RelayEdit(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")

    host: str = Field(pattern=HOST, max_length=253, examples=["sub.fw.rakuten.ne.jp"])
    port: int = Field(default=587, ge=1, le=65535)
    domains: list[Annotated[str, Field(pattern=DOMAIN, max_length=253)]] = Field(
        min_length=1, max_length=50, examples=[["fw.rakuten.ne.jp"]]
    )
    mail_from: MailAddress | None = None
    username: str | None = Field(default=None, min_length=1, max_length=256)
    password: SecretStr | None = Field(default=None, min_length=1, max_length=256)


def register(app: APIGatewayHttpResolver, deps: AdminDeps) -> None:
    @app.get(
        f"{SHOP_PATH}/relays",
        tags=["settings"],
        summary="SMTPリレーの一覧 / the shop's SMTP relays",
        openapi_extensions=STAFF,
    )
    def list_relays(shop_id: str) -> RelayList:
        shop_caller(app, shop_id)
        relays = deps.config.named_relays(shop_id)
        return RelayList(
            items=[
                _view(name, relay, credentials_set=deps.secrets.is_set(relay.secret_arn))
                for name, relay in sorted(relays.items())
            ]
        )

    @app.put(
        f"{SHOP_PATH}/relays/<name>",
        tags=["settings"],
        summary="SMTPリレーの登録・変更 / create or edit an SMTP relay",
        openapi_extensions=MANAGER,
    )
    def put_relay(shop_id: str, name: RelayName, body: RelayEdit) -> RelayView:
        caller = shop_caller(app, shop_id)
        existing = deps.config.named_relays(shop_id).get(name)
        changes_credentials = body.username is not None or body.password is not None
        if changes_credentials:
            secret_arn = deps.secrets.put_json(secret_id(shop_id, name), _credentials(deps, body, existing))
        elif existing is not None:
            secret_arn = existing.secret_arn
        else:
            raise _credentials_required()
        relay = RelayConfig(
            host=body.host,
            port=body.port,
            domains=body.domains,
            secret_arn=secret_arn,
            mail_from=body.mail_from,
        )
        deps.config.put_relay(shop_id, name, relay)
        audit(
            deps,
            shop_id,
            caller,
            "relays.put",
            name=name,
            host=relay.host,
            port=relay.port,
            domains=relay.domains,
            credentials_changed=changes_credentials,
        )
        return _view(name, relay, credentials_set=True)

    @app.delete(
        f"{SHOP_PATH}/relays/<name>",
        tags=["settings"],
        summary="SMTPリレーの削除 / delete an SMTP relay",
        openapi_extensions=MANAGER,
    )
    def delete_relay(shop_id: str, name: RelayName) -> Response[None]:
        caller = shop_caller(app, shop_id)
        if name not in deps.config.named_relays(shop_id):
            raise NotFoundError(f"リレー {name} はありません", f"there is no relay {name}")
        deps.config.delete_relay(shop_id, name)
        deps.secrets.delete(secret_id(shop_id, name))
        audit(deps, shop_id, caller, "relays.delete", name=name)
        return Response(status_code=204)


def _view(name: str, relay: RelayConfig, *, credentials_set: bool) -> RelayView:
    return RelayView(
        name=name,
        host=relay.host,
        port=relay.port,
        domains=relay.domains,
        mail_from=relay.mail_from,
        credentials_set=credentials_set,
    )


def _credentials(deps: AdminDeps, body: RelayEdit, existing: RelayConfig | None) -> dict[str, str]:
    """The credentials to store: what the edit gives, the stored value for what it leaves out."""
    stored: dict[str, str] = {}
    if existing is not None and (body.username is None or body.password is None):
        try:
            stored = deps.secrets.get_json(existing.secret_arn)
        except NotFoundError:
            stored = {}
    username = body.username or stored.get("username")
    password = body.password.get_secret_value() if body.password is not None else stored.get("password")
    if not username or not password:
        raise _credentials_required()
    return {"username": username, "password": password}


def _credentials_required() -> BadRequestError:
    return BadRequestError(
        "新しいリレーにはユーザー名とパスワードが必要です。",
        "A new relay needs a username and a password.",
        code="credentials_required",
    )
