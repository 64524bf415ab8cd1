"""Scenarios: which orders get which mails, when, and why (purposes)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from okaeri.models.base import ConfigModel

Trigger = Literal["ordered", "shipped", "delivered"]
RepeatPolicy = Literal["every_time", "once", "skip_if_active", "restart"]
Purpose = Literal["thanks", "arrival_check", "usage_tips", "review_request", "coupon", "promotion"]

ADVERTISING_PURPOSES: frozenset[str] = frozenset({"coupon", "promotion"})
TRANSACTIONAL_PURPOSES: frozenset[str] = frozenset({"thanks", "arrival_check", "usage_tips"})
MAX_STEPS = 10
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$"


class Step(ConfigModel):
    id: str = Field(pattern=ID_PATTERN)
    offset_days: int | None = Field(default=None, ge=0, le=365)
    hour: int | None = Field(default=None, ge=0, le=23)
    immediate: bool = False
    business_days_only: bool = False
    template: str = Field(pattern=ID_PATTERN)
    purposes: list[Purpose] = Field(min_length=1)

    @model_validator(mode="after")
    def _timing(self) -> Step:
        if self.immediate:
            if self.offset_days is not None or self.hour is not None:
                raise ValueError(
                    "immediate: true のステップに offset_days / hour は指定できません / "
                    "an immediate step takes no offset_days or hour"
                )
        elif self.offset_days is None or self.hour is None:
            raise ValueError(
                "offset_days と hour の両方、または immediate: true を指定してください / "
                "give both offset_days and hour, or immediate: true"
            )
        return self

    @field_validator("purposes")
    @classmethod
    def _unique_purposes(cls, value: list[Purpose]) -> list[Purpose]:
        return list(dict.fromkeys(value))

    @property
    def is_advertising(self) -> bool:
        """Coupon or promotion make a mail advertising (広告宣伝メール)."""
        return bool(ADVERTISING_PURPOSES.intersection(self.purposes))


class Conditions(ConfigModel):
    sources: list[str] | None = None
    skus: list[str] | None = None
    first_order: bool | None = None
    payment_methods: list[str] | None = None
    prefectures: list[str] | None = None
    gift: bool | None = None
    min_total: int | None = Field(default=None, ge=0)
    min_order_count: int | None = Field(default=None, ge=1)


class Scenario(ConfigModel):
    id: str = Field(pattern=ID_PATTERN)
    name: str = Field(min_length=1)
    trigger: Trigger
    conditions: Conditions = Field(default_factory=Conditions)
    repeat_policy: RepeatPolicy = "every_time"
    priority: int = 0
    active: bool = True
    version: int = Field(default=1, ge=1)
    steps: list[Step] = Field(min_length=1, max_length=MAX_STEPS)

    @field_validator("steps")
    @classmethod
    def _unique_step_ids(cls, steps: list[Step]) -> list[Step]:
        seen: set[str] = set()
        for step in steps:
            if step.id in seen:
                raise ValueError(
                    f"ステップ ID {step.id} が重複しています / step id {step.id!r} is used twice"
                )
            seen.add(step.id)
        return steps

    def step(self, step_id: str) -> Step:
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(step_id)
