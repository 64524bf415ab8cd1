"""What an import is told (a column mapping) and what it answers (a report of rows taken and refused)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from okaeri.models.order import OrderSource

RefusalReason = Literal[
    "missing_field",
    "bad_date",
    "bad_number",
    "bad_email",
    "bad_value",
    "other_row_refused",
]
Encoding = Literal["utf-8", "utf-8-sig", "cp932", "shift_jis", "euc-jp", "utf-16"]
HeaderName = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Columns = HeaderName | Annotated[list[HeaderName], Field(min_length=1, max_length=6)]
#: Reports stay small (an Idempotency-Key keeps the answer in one DynamoDB item, at most 400 KB).
MAX_REFUSED_LISTED = 200
MAX_ORDERS_LISTED = 1_000


class MappedColumns(BaseModel):
    """Which header of the file holds each order field. A list joins several columns with a space
    (``["姓", "名"]`` → ``山田 太郎``). Rows of the same ``order_id`` are one order (one item each)."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    order_id: Columns
    ordered_at: Columns | None = None
    customer_name: Columns | None = None
    customer_name_kana: Columns | None = None
    customer_email: Columns | None = None
    customer_phone: Columns | None = None
    ship_to_name: Columns | None = None
    ship_to_postal_code: Columns | None = None
    ship_to_prefecture: Columns | None = None
    ship_to_address: Columns | None = None
    item_sku: Columns | None = None
    item_name: Columns | None = None
    quantity: Columns | None = None
    unit_price: Columns | None = None
    total: Columns | None = None
    payment_method: Columns | None = None
    shipping_method: Columns | None = None
    is_gift: Columns | None = None
    shipped_at: Columns | None = None
    carrier: Columns | None = None
    tracking_number: Columns | None = None

    @model_validator(mode="after")
    def _a_date_to_plan_from(self) -> MappedColumns:
        if self.ordered_at is None and self.shipped_at is None:
            raise ValueError(
                "ordered_at か shipped_at のどちらかの列を指定してください / "
                "map ordered_at or shipped_at (or both): a date is needed to plan mails"
            )
        return self


class ColumnMapping(BaseModel):
    """How to read a CSV that is neither an RMS nor a Yahoo! export."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    source: OrderSource = Field(
        default="csv", max_length=70, description="the Order's source: csv, rakuten, … or mask:<name>"
    )
    columns: MappedColumns
    date_format: str | None = Field(
        default=None,
        max_length=64,
        description="strptime format, e.g. %Y/%m/%d %H:%M; default: common formats",
    )
    encoding: Encoding | None = Field(default=None, description="default: detected (UTF-8, CP932, EUC-JP)")
    delimiter: Literal[",", "\t", ";"] | None = None

    @field_validator("date_format")
    @classmethod
    def _a_date_format(cls, value: str | None) -> str | None:
        if value is not None and "%" not in value:
            raise ValueError(
                "date_format は strptime 形式です（例 %Y/%m/%d %H:%M） / use strptime directives"
            )
        return value


class RefusedRow(BaseModel):
    model_config = ConfigDict(defer_build=True)

    line: int = Field(description="the file line the row starts on (the header is line 1)")
    order_id: str | None = None
    reason: RefusalReason
    message_ja: str
    message_en: str


class ImportReport(BaseModel):
    """What an import did: every order taken (new or already known) and every row refused, with why."""

    model_config = ConfigDict(defer_build=True)

    import_id: str
    source: str
    rows: int = Field(description="data rows read (blank lines aside)")
    orders_taken: int = Field(description="orders read from the file and applied")
    orders_new: int = Field(description="of those, orders Okaeri did not know before")
    orders_updated: int = Field(
        description="of those, known orders that got a ship date, carrier or tracking number"
    )
    orders_known: int = Field(description="of those, orders already there (nothing changed)")
    orders: list[str] = Field(
        description=f"the keys of the first {MAX_ORDERS_LISTED} orders taken, in file order"
    )
    refused_rows: int
    refused: list[RefusedRow] = Field(description=f"the first {MAX_REFUSED_LISTED} refused rows")
    complete: bool = Field(
        default=True,
        description="false when time ran out: import the same file again to take the rest (nothing doubles)",
    )
    orders_left: int = 0
