"""What the admin side reads back from the stores: versions of a document, a day's counters, a coupon
load, a suppressed address, an operator. The adapters answer with them (``okaeri.ports``), the admin
API and its services pass them on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from pydantic import BaseModel

from okaeri.membership import Role


@dataclass(frozen=True)
class VersionInfo:
    """One stored version of a scenario or template, for the version list."""

    version: int
    name: str
    current: bool


@dataclass(frozen=True)
class StepStats:
    """One day's counters of one scenario step (``sent``, ``delivered``, ``bounced``, …)."""

    day: date
    scenario_id: str
    step_id: str
    counters: dict[str, int]


@dataclass(frozen=True)
class PoolLoad:
    """What a load did: how many of the codes are unused now, and which were spent already."""

    loaded: int
    spent: tuple[str, ...]


class Suppression(BaseModel):
    """One address on a shop's suppression list: why (the first reason), since when, after which mail."""

    address: str
    reason: str
    at: datetime
    delivery_id: str | None = None


class Operator(BaseModel):
    """A user of the admin page: their role in each shop, the invitations not answered yet."""

    username: str
    email: str
    roles: dict[str, Role]
    invitations: dict[str, Role]
    enabled: bool
    status: str

    @property
    def shops(self) -> list[str]:
        return list(self.roles)

    def role_in(self, shop_id: str) -> Role | None:
        return self.roles.get(shop_id)
