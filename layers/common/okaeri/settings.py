"""Typed settings per function, read from the environment once at cold start (never at import).

Each function has one model composed from small mixins; a missing or bad variable fails the cold
start with a message that names it, instead of a KeyError deep in a handler.
"""

from __future__ import annotations

import os
from functools import cache
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, Field

from okaeri.models.base import validate_document

SettingsT = TypeVar("SettingsT", bound="_Settings")


class _Settings(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class TablesMixin(_Settings):
    orders_table: str
    customers_table: str
    deliveries_table: str
    logs_table: str
    config_table: str
    retention_days: int = Field(default=730, ge=1, le=3650)


class InboundMixin(_Settings):
    raw_mail_bucket: str


class SchedulingMixin(_Settings):
    schedule_group: str
    send_function_arn: str
    scheduler_role_arn: str
    schedule_dlq_arn: str


class MailMixin(_Settings):
    ses_configuration_set: str
    unsubscribe_secret_id: str


class IngestSettings(TablesMixin, InboundMixin):
    """functions/ingest"""


class ScheduleSettings(TablesMixin, SchedulingMixin):
    """functions/schedule"""


class SendSettings(TablesMixin, SchedulingMixin, MailMixin):
    """functions/send (schedule wake-ups, the sweeper and SES events)"""


class CognitoMixin(_Settings):
    user_pool_id: str
    user_pool_client_id: str
    aws_region: str = "ap-northeast-1"  # set by Lambda itself
    #: Where clients sign in; empty means AWS's own ``https://cognito-idp.<region>.amazonaws.com/``
    #: (the local stack sets ``/cognito/``, its gateway's proxy to the emulator, on the page's origin).
    cognito_endpoint: str = ""


class AdminSettings(TablesMixin, InboundMixin, SchedulingMixin, MailMixin, CognitoMixin):
    """functions/admin: the admin API (and page), unsubscribe links, the Shopify webhook"""

    #: The account's SES send rate (mails a second, cdk.json's ``send_rate``): the dashboard warns of
    #: an hour whose planned mails take longer than the shop's flexible window at this rate.
    send_rate: int = Field(default=14, ge=1, le=1000)


def settings_from[SettingsT: "_Settings"](model: type[SettingsT], environ: dict[str, str]) -> SettingsT:
    """Validate the environment (variable names in upper case) as ``model``."""
    values = {name.lower(): value for name, value in environ.items()}
    return validate_document(model, values, what="環境変数 / environment")


@cache
def load_settings[SettingsT: "_Settings"](model: type[SettingsT]) -> SettingsT:
    """The function's settings, read once per cold start."""
    return settings_from(model, dict(os.environ))
