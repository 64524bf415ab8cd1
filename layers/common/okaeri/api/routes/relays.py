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
from okaeri.api.support import operator
from okaeri.mail_address import MailAddress
from okaeri.services import relays
from okaeri.services.relays import RelayChange, RelayDeps, RelayList, RelayView

RELAY_NAME = r"^[a-z0-9][a-z0-9-]{0,39}$"
HOST = r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"
DOMAIN = r"^(?:\*\.)?[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
RelayName = Annotated[str, Path(pattern=RELAY_NAME, description="the relay's name, e.g. rakuten")]


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
    service = RelayDeps(config=deps.config, secrets=deps.secrets, logs=deps.logs, clock=deps.clock)

    @app.get(
        f"{SHOP_PATH}/relays",
        tags=["settings"],
        summary="SMTPリレーの一覧 / the shop's SMTP relays",
        openapi_extensions=STAFF,
    )
    def list_relays(shop_id: str) -> RelayList:
        shop_caller(app, shop_id)
        return relays.relays(service, shop_id)

    @app.put(
        f"{SHOP_PATH}/relays/<name>",
        tags=["settings"],
        summary="SMTPリレーの登録・変更 / create or edit an SMTP relay",
        openapi_extensions=MANAGER,
    )
    def put_relay(shop_id: str, name: RelayName, body: RelayEdit) -> RelayView:
        caller = shop_caller(app, shop_id)
        edit = RelayChange(
            host=body.host,
            port=body.port,
            domains=body.domains,
            mail_from=body.mail_from,
            username=body.username,
            password=body.password.get_secret_value() if body.password is not None else None,
        )
        return relays.put_relay(service, shop_id, name, edit, by=operator(caller))

    @app.delete(
        f"{SHOP_PATH}/relays/<name>",
        tags=["settings"],
        summary="SMTPリレーの削除 / delete an SMTP relay",
        openapi_extensions=MANAGER,
    )
    def delete_relay(shop_id: str, name: RelayName) -> Response[None]:
        caller = shop_caller(app, shop_id)
        relays.delete_relay(service, shop_id, name, by=operator(caller))
        return Response(status_code=204)
