"""Scenarios: which orders get which mails, when, and why (purposes)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from okaeri.models.base import ConfigModel

Trigger = Literal["ordered", "shipped", "delivered", "lapsed"]
#: The triggers an order starts (``lapsed``: the daily win-back job starts it, for a customer).
ORDER_TRIGGERS: frozenset[str] = frozenset({"ordered", "shipped", "delivered"})
#: Which pending steps of a customer's earlier runs stop when they order again (issue #16).
StopOnReorder = Literal["advertising", "all", "none"]
RepeatPolicy = Literal["every_time", "once", "skip_if_active", "restart"]
Purpose = Literal["thanks", "arrival_check", "usage_tips", "review_request", "coupon", "promotion"]

TRANSACTIONAL_PURPOSES: frozenset[str] = frozenset({"thanks", "arrival_check", "usage_tips"})
HoldoutScope = Literal["whole_run", "advertising_only"]

ADVERTISING_PURPOSES: frozenset[str] = frozenset({"coupon", "promotion"})
MAX_STEPS = 10
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$"
MIN_VARIANTS = 2
MAX_VARIANTS = 4
MAX_HOLDOUT_PERCENT = 50
MIN_LAPSED_DAYS = 30
MAX_LAPSED_DAYS = 730


class Variant(ConfigModel):
    """One wording of an A/B-tested step: its template and its share (``weight``) of the mails."""

    id: str = Field(pattern=ID_PATTERN)
    template: str = Field(pattern=ID_PATTERN)
    weight: int = Field(default=1, ge=1, le=100)


class Step(ConfigModel):
    id: str = Field(pattern=ID_PATTERN)
    offset_days: int | None = Field(default=None, ge=0, le=365)
    hour: int | None = Field(default=None, ge=0, le=23)
    immediate: bool = False
    business_days_only: bool = False
    template: str | None = Field(default=None, pattern=ID_PATTERN)
    variants: list[Variant] | None = Field(default=None, min_length=MIN_VARIANTS, max_length=MAX_VARIANTS)
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

    @model_validator(mode="after")
    def _one_wording(self) -> Step:
        if (self.template is None) == (self.variants is None):
            raise ValueError(
                f"ステップ {self.id}: template か variants（2〜4 件）のどちらか一方を指定してください / "
                f"step {self.id!r}: give either template or variants (2 to 4), not both"
            )
        if self.variants is not None:
            ids = [variant.id for variant in self.variants]
            if len(set(ids)) != len(ids):
                raise ValueError(
                    f"ステップ {self.id} のバリエーション ID が重複しています / "
                    f"step {self.id!r} names a variant twice"
                )
        return self

    @property
    def templates(self) -> list[str]:
        """The templates the step sends: its one template, or each variant's."""
        if self.variants is not None:
            return [variant.template for variant in self.variants]
        assert self.template is not None, "a step has a template or variants"
        return [self.template]

    def template_of(self, variant_id: str | None) -> str:
        """The template of ``variant_id`` (the step's own template when it has no variants)."""
        if self.variants is None or variant_id is None:
            return self.templates[0]
        for variant in self.variants:
            if variant.id == variant_id:
                return variant.template
        raise KeyError(variant_id)

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
    #: The share of runs held out (planned, never sent) to measure what the mails add (issue #15).
    holdout_percent: int = Field(default=0, ge=0, le=MAX_HOLDOUT_PERCENT)
    #: ``advertising_only``: a held-out run still gets its transactional mails (thanks, arrival check).
    holdout_scope: HoldoutScope = "whole_run"
    #: A run repeats when its customer orders again within this many days of the run's start.
    repeat_days: int = Field(default=60, ge=1, le=365)
    #: ``advertising``: a new order of the customer stops the pending coupon/promotion steps of their
    #: earlier runs (skipped ``reordered``); ``all``: every pending step; ``none``: nothing stops.
    stop_on_reorder: StopOnReorder = "advertising"
    #: ``trigger: lapsed``: the run starts when the customer's last order is this many days old.
    lapsed_days: int | None = Field(default=None, ge=MIN_LAPSED_DAYS, le=MAX_LAPSED_DAYS)
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

    @model_validator(mode="after")
    def _lapsed_days_with_lapsed(self) -> Scenario:
        if self.trigger == "lapsed" and self.lapsed_days is None:
            raise ValueError(
                f"trigger: lapsed には lapsed_days（{MIN_LAPSED_DAYS}〜{MAX_LAPSED_DAYS} 日）を指定してください / "
                f"trigger: lapsed needs lapsed_days ({MIN_LAPSED_DAYS} to {MAX_LAPSED_DAYS})"
            )
        if self.trigger != "lapsed" and self.lapsed_days is not None:
            raise ValueError(
                "lapsed_days は trigger: lapsed のシナリオだけに指定できます / "
                "lapsed_days applies to a trigger: lapsed scenario only"
            )
        return self

    def stops_on_reorder(self, step: Step) -> bool:
        """Whether a pending mail of this step stops when its customer orders again."""
        if self.stop_on_reorder == "all":
            return True
        return self.stop_on_reorder == "advertising" and step.is_advertising

    def find_step(self, step_id: str) -> Step | None:
        """The step named ``step_id``, or None (a delivery of a version without it)."""
        return next((step for step in self.steps if step.id == step_id), None)

    def step(self, step_id: str) -> Step:
        for step in self.steps:
            if step.id == step_id:
                return step
        raise KeyError(step_id)
