"""The shop's coupon pools as operators see them: how many codes are free and used, and loading a
CSV of codes into one (``okaeri.services.coupon_upload`` reads the file).

The pools listed are those codes were loaded into and those the shop's templates hand out codes from
(an empty one shows as 0/0). Loading the same file again changes nothing; a code already given to a
customer is never loaded again, and is answered as skipped (``used``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict

from okaeri.errors import TemplateError
from okaeri.models import Template
from okaeri.ports import Clock, CouponPools, Logs
from okaeri.rendering import check_template
from okaeri.services.coupon_upload import SkippedCode, parse_coupon_csv
from okaeri.services.documents import audit


class PoolCount(BaseModel):
    model_config = ConfigDict(defer_build=True)

    pool: str
    free: int
    used: int

    @classmethod
    def of(cls, coupons: CouponPools, shop_id: str, pool: str) -> PoolCount:
        used, free = coupons.counts(shop_id, pool)
        return cls(pool=pool, free=free, used=used)


class PoolLoadAnswer(BaseModel):
    model_config = ConfigDict(defer_build=True)

    pool: str
    loaded: int
    skipped: list[SkippedCode]
    free: int
    used: int


@dataclass(frozen=True)
class CouponDeps:
    coupons: CouponPools
    logs: Logs
    clock: Clock


def template_pools(templates: Iterable[Template]) -> set[str]:
    """The pools the templates hand out codes from (a template that does not compile names none)."""
    pools: set[str] = set()
    for template in templates:
        try:
            pools.update(check_template(template))
        except TemplateError:
            continue
    return pools


def pool_counts(coupons: CouponPools, shop_id: str, templates: Iterable[Template]) -> list[PoolCount]:
    """Every pool of the shop, by name: loaded ones and the templates' ones."""
    pools = set(coupons.pools(shop_id)) | template_pools(templates)
    return [PoolCount.of(coupons, shop_id, pool) for pool in sorted(pools)]


def load_pool(deps: CouponDeps, shop_id: str, pool: str, csv_text: str, *, by: str) -> PoolLoadAnswer:
    """Load the CSV's codes into ``pool`` (audited ``coupons.load``)."""
    upload = parse_coupon_csv(csv_text)
    result = deps.coupons.load_codes(shop_id, pool, upload.codes)
    skipped = upload.skipped + [SkippedCode(code=code, reason="used") for code in result.spent]
    counts = PoolCount.of(deps.coupons, shop_id, pool)
    audit(
        deps.logs,
        deps.clock,
        shop_id,
        "coupons.load",
        by=by,
        pool=pool,
        loaded=result.loaded,
        skipped=len(skipped),
    )
    return PoolLoadAnswer(
        pool=pool, loaded=result.loaded, skipped=skipped, free=counts.free, used=counts.used
    )
