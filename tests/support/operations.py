"""What the operations API tests share, in process over the fakes and on the moto stack: the fixture
order mails and their buyers, the deliveries planned for them, and reading a paged list."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol
from urllib.parse import quote

from okaeri.models import Delivery
from okaeri.ports import Deliveries

#: Four order mails of four buyers (two of them Rakuten masked addresses): twelve deliveries.
ORDER_MAILS = ("eccube-html-gift", "yahoo-iso2022-company", "rakuten-iso2022-nec", "rakuten-utf8-qp")
NAKAJIMA = "aya.nakajima@example.net"  # eccube-html-gift: 中島 彩, order 2077
HIKARI = "ichiro@hikari-shokai.example"  # yahoo-iso2022-company: ㈱ひかり商会 光 一郎
TAKAHASHI = "3f9a0c1d2e7b4a55@pc.fw.rakuten.ne.jp"  # rakuten-iso2022-nec: a Rakuten masked address
#: Each buyer's name, by the address their mails go to.
BUYERS = {
    NAKAJIMA: "中島 彩",
    HIKARI: "㈱ひかり商会 光 一郎",
    TAKAHASHI: "髙橋 健一",
    "b0c1d2e3f4a5b6c7@pc.fw.rakuten.ne.jp": "小林 蓮",  # rakuten-utf8-qp
}
#: The four fixture orders by order time, newest first.
NEWEST_FIRST = [
    "rakuten#512034-20261205-1000000077",  # 2026-12-05 07:05
    "ec-cube#2077",  # 2026-12-04 12:34
    "yahoo#MIDORI-CHA-10000077",  # 2026-12-02 14:03
    "rakuten#401122-20261130-1000234567",  # 2026-11-30 08:12
]


@dataclass
class Planned:
    """The deliveries the pipeline planned, by id."""

    deliveries: dict[str, Delivery]

    @classmethod
    def of_all(cls, deliveries: Iterable[Delivery]) -> Planned:
        return cls({delivery.id: delivery for delivery in deliveries})

    def of(self, email: str, step: str | None = None) -> list[Delivery]:
        return sorted(
            (
                d
                for d in self.deliveries.values()
                if d.customer_email == email and (step is None or d.step_id == step)
            ),
            key=lambda d: d.send_at,
        )

    def one(self, email: str, step: str) -> Delivery:
        [delivery] = self.of(email, step)
        return delivery

    def newest_first(self, wanted: set[str]) -> list[str]:
        """The ids ``wanted`` in the order the deliveries list shows them: latest send time first."""
        chosen = [d for d in self.deliveries.values() if d.id in wanted]
        return [d.id for d in sorted(chosen, key=lambda d: (d.send_at, d.id), reverse=True)]


def ids(items: list[dict[str, Any]]) -> list[str]:
    return [str(item["id"]) for item in items]


def flat(pages: list[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    return [item for page in pages for item in page]


def make_unknown(deliveries: Deliveries, delivery: Delivery) -> Delivery:
    """Claim the delivery at its send time and let its lease run out: a send in doubt (``unknown``)."""
    shop_id, lease = delivery.shop_id, delivery.send_at + timedelta(minutes=10)
    assert deliveries.claim(shop_id, delivery.id, now=delivery.send_at, lease_until=lease).claimed
    assert deliveries.mark_unknown(shop_id, delivery.id, now=lease + timedelta(minutes=1))
    in_doubt = deliveries.get(shop_id, delivery.id)
    assert in_doubt is not None
    return in_doubt


def order_keys(items: list[dict[str, Any]]) -> list[str]:
    """The keys of the orders of a list's page, as ``NEWEST_FIRST`` writes them."""
    return [f"{item['order']['source']}#{item['order']['order_id'].upper()}" for item in items]


def not_the_shops_mails(shop_id: str, other_shop: str) -> tuple[str, ...]:
    """Keys a shop's raw mail route serves nothing for: another shop's mail (the first), a way out
    of the folder, empty parts, a bare name, a mail never stored."""
    return (
        f"inbound/{other_shop}/their-order",
        f"inbound/{shop_id}/../{other_shop}/their-order",
        f"inbound/{shop_id}//x",
        f"inbound/{shop_id}/",
        "kurashi-order",
        f"inbound/{shop_id}/no-such-mail",
    )


def path_key(order_key: str) -> str:
    """An order key as a client puts it in a path (``#`` → ``%23``)."""
    return quote(order_key, safe="")


class Lister(Protocol):
    def get(self, path: str, **params: Any) -> Any: ...


def all_pages(client: Lister, path: str, **query: Any) -> list[list[dict[str, Any]]]:
    """Every page of a list, following ``next_cursor``; the items of each page."""
    pages: list[list[dict[str, Any]]] = []
    cursor = None
    for _ in range(100):
        answer = client.get(path, **query, **({"cursor": cursor} if cursor else {}))
        assert answer.status == 200, answer.text
        body = answer.json()
        pages.append(body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            return pages
    raise AssertionError("the pages never end")
