"""SMTP relays by recipient domain, as operators set them (settings → relays).

Rakuten's masked buyer addresses (楽天あんしんメルアド) accept mail only through Rakuten's relay,
with the shop's RMS credentials. The relay (host, port, domains, From) is in the shop's settings; the
credentials are a secret ``okaeri/relay/<shop>/<name>`` (``{"username", "password"}``), write-only:
reads say only whether they are set. An edit that leaves the username or the password out keeps the
stored one (a new relay needs both). Every change is audited (``relays.put``, ``relays.delete``).
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

from okaeri.errors import BadRequestError, NotFoundError
from okaeri.models import RelayConfig
from okaeri.ports import AdminConfig, Clock, Logs, SecretStore
from okaeri.services.documents import audit

SECRET_PREFIX = "okaeri/relay"


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


@dataclass(frozen=True)
class RelayChange:
    """A relay as an operator sends it; ``username`` / ``password`` None: keep the stored one."""

    host: str
    port: int
    domains: list[str]
    mail_from: str | None
    username: str | None
    password: str | None


@dataclass(frozen=True)
class RelayDeps:
    config: AdminConfig
    secrets: SecretStore
    logs: Logs
    clock: Clock


def _view(name: str, relay: RelayConfig, *, credentials_set: bool) -> RelayView:
    return RelayView(
        name=name,
        host=relay.host,
        port=relay.port,
        domains=relay.domains,
        mail_from=relay.mail_from,
        credentials_set=credentials_set,
    )


def relays(deps: RelayDeps, shop_id: str) -> RelayList:
    """Every relay by name, with whether its credentials are set."""
    named = deps.config.named_relays(shop_id)
    return RelayList(
        items=[
            _view(name, relay, credentials_set=deps.secrets.is_set(relay.secret_arn))
            for name, relay in sorted(named.items())
        ]
    )


def put_relay(deps: RelayDeps, shop_id: str, name: str, edit: RelayChange, *, by: str) -> RelayView:
    """Create or edit the relay ``name`` (and its credentials, when the edit gives any)."""
    existing = deps.config.named_relays(shop_id).get(name)
    changes_credentials = edit.username is not None or edit.password is not None
    if changes_credentials:
        secret_arn = deps.secrets.put_json(secret_id(shop_id, name), _credentials(deps, edit, existing))
    elif existing is not None:
        secret_arn = existing.secret_arn
    else:
        raise _credentials_required()
    relay = RelayConfig(
        host=edit.host, port=edit.port, domains=edit.domains, secret_arn=secret_arn, mail_from=edit.mail_from
    )
    deps.config.put_relay(shop_id, name, relay)
    audit(
        deps.logs,
        deps.clock,
        shop_id,
        "relays.put",
        by=by,
        name=name,
        host=relay.host,
        port=relay.port,
        domains=relay.domains,
        credentials_changed=changes_credentials,
    )
    return _view(name, relay, credentials_set=True)


def delete_relay(deps: RelayDeps, shop_id: str, name: str, *, by: str) -> None:
    """The relay and its credentials (404 when there is no such relay)."""
    if name not in deps.config.named_relays(shop_id):
        raise NotFoundError(f"リレー {name} はありません", f"there is no relay {name}")
    deps.config.delete_relay(shop_id, name)
    deps.secrets.delete(secret_id(shop_id, name))
    audit(deps.logs, deps.clock, shop_id, "relays.delete", by=by, name=name)


def _credentials(deps: RelayDeps, edit: RelayChange, existing: RelayConfig | None) -> dict[str, str]:
    """The credentials to store: what the edit gives, the stored value for what it leaves out."""
    stored: dict[str, str] = {}
    if existing is not None and (edit.username is None or edit.password is None):
        try:
            stored = deps.secrets.get_json(existing.secret_arn)
        except NotFoundError:
            stored = {}
    username = edit.username or stored.get("username")
    password = edit.password if edit.password is not None else stored.get("password")
    if not username or not password:
        raise _credentials_required()
    return {"username": username, "password": password}


def _credentials_required() -> BadRequestError:
    return BadRequestError(
        "新しいリレーにはユーザー名とパスワードが必要です。",
        "A new relay needs a username and a password.",
        code="credentials_required",
    )
