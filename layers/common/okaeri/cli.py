"""``okaeri`` command line: parse, plan, render, lint, add-shop, migrate-order-keys, refigure-customers, recount (SPEC §3).

The local stack has its own (``python -m okaeri_dev``, with the development infrastructure).

JSON goes to stdout; a refusal prints a bilingual reason on stderr and exits 1. Bad input never
ends in a traceback: every refusal is an ``OkaeriError``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from okaeri.errors import ConfigError, OkaeriError
from okaeri.models import Order, Scenario, Shop, Template, load_document
from okaeri.models.base import reading

EXIT_REFUSED = 1
#: 128 + SIGPIPE: what a shell reports for a writer whose reader closed the pipe
EXIT_BROKEN_PIPE = 141
PREVIEW_SECRET_ENV = "OKAERI_UNSUBSCRIBE_SECRET"


def _print_json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def _read_bytes(path: str) -> bytes:
    with reading(path):
        return Path(path).read_bytes()


def _parse_now(value: str | None) -> datetime:
    if value is None:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise ConfigError(
            f"--now の日時が読めません: {value}（例: 2026-11-20T11:06:12+09:00）",
            f"--now is not an ISO 8601 date-time: {value} (e.g. 2026-11-20T11:06:12+09:00)",
        ) from exc
    if moment.tzinfo is None:
        raise ConfigError(
            "--now にはタイムゾーン（+09:00 など）を付けてください", "--now needs a UTC offset such as +09:00"
        )
    return moment


def cmd_parse(args: argparse.Namespace) -> int:
    from okaeri.parsing import ParseMask, parse_mail

    masks = [load_document(ParseMask, path) for path in args.mask]
    order = parse_mail(_read_bytes(args.mail), masks=masks, timezone=args.timezone)
    _print_json(order.to_json_dict())
    return 0


def cmd_plan(args: argparse.Namespace) -> int:
    from okaeri.planner import plan_order

    shop = load_document(Shop, args.shop)
    scenarios = [load_document(Scenario, path) for path in args.scenario]
    order = load_document(Order, args.order)
    results = plan_order(shop, scenarios, order, now=_parse_now(args.now), order_count=args.order_count)
    if not results:
        _print_json({"scenario": None, "ship_date": None, "deliveries": [], "skipped": []})
        return 0
    first, *others = (result.model_dump(mode="json") for result in results)
    if others:
        # One scenario runs per trigger: the highest-priority plan first, the other triggers' plans after.
        first["other_plans"] = others
    _print_json(first)
    return 0


def _coupon_source(specs: Sequence[str]) -> Any:
    from okaeri.rendering import CsvCoupons, PreviewCoupons

    if not specs:
        return PreviewCoupons()
    pools: dict[str, Path] = {}
    for spec in specs:
        pool, sep, path = spec.partition("=")
        if not sep or not pool or not path:
            raise ConfigError(
                f"--coupons は POOL=ファイル.csv の形で指定してください: {spec}",
                f"--coupons takes POOL=FILE.csv: {spec}",
            )
        if not Path(path).is_file():
            raise ConfigError(f"{path} を読み込めません", f"cannot read {path}")
        pools[pool] = Path(path)
    return CsvCoupons(pools)


def cmd_render(args: argparse.Namespace) -> int:
    from okaeri.rendering import MailContext, check_template, render_mail
    from okaeri.unsubscribe_links import make_token, unsubscribe_url

    shop = load_document(Shop, args.shop)
    template = load_document(Template, args.template)
    order = load_document(Order, args.order)
    to = args.to or order.customer.email
    if not to:
        raise ConfigError(
            "宛先がありません: 注文に customer.email がないので --to を指定してください",
            "no recipient: the order has no customer.email, so give --to",
        )
    pools = check_template(template)
    secret = os.environ.get(PREVIEW_SECRET_ENV, "okaeri-local-preview").encode()
    token = make_token(secret, shop_id=shop.id, delivery_id=args.delivery_id, email=to)
    ctx = MailContext(
        shop=shop,
        order=order,
        delivery_id=args.delivery_id,
        customer_order_count=args.order_count,
        advertising=args.advertising or bool(pools),
        unsubscribe_url=unsubscribe_url(shop, token),
        coupons=_coupon_source(args.coupons),
    )
    _, message = render_mail(template, ctx, to=to, now=_parse_now(args.now))
    sys.stdout.buffer.write(bytes(message))
    sys.stdout.flush()
    return 0


def cmd_lint(args: argparse.Namespace) -> int:
    from okaeri.compliance import has_errors, lint_scenario, scenario_profiles

    shop = load_document(Shop, args.shop)
    scenario = load_document(Scenario, args.scenario)
    templates = None
    if args.template:
        loaded = [load_document(Template, path) for path in args.template]
        templates = {template.id: template for template in loaded}
    findings = lint_scenario(shop, scenario, templates=templates)
    failed = has_errors(findings)
    _print_json(
        {
            "scenario": scenario.id,
            "profile": shop.compliance,
            "profiles": scenario_profiles(shop, scenario),
            "ok": not failed,
            "findings": [finding.model_dump() for finding in findings],
        }
    )
    for finding in findings:
        print(f"{finding.severity}: [{finding.step}] {finding.rule}: {finding.message_ja}", file=sys.stderr)
    return EXIT_REFUSED if failed else 0


def cmd_add_shop(args: argparse.Namespace) -> int:
    """A deployed Okaeri's first settings for a shop (after that the admin page edits them)."""
    from okaeri.aws.clients import dynamodb_client
    from okaeri.aws.config import DynamoConfig

    shop = load_document(Shop, args.shop)
    if DynamoConfig(args.table, client=dynamodb_client()).create_shop(shop):
        print(f"{shop.id}: 作成しました / created")
        return 0
    print(
        f"{shop.id}: すでに設定があります。変更は管理画面で行ってください"
        " / already has settings: change them in the admin page",
        file=sys.stderr,
    )
    return EXIT_REFUSED


def cmd_migrate_order_keys(args: argparse.Namespace) -> int:
    """Move a deployed Okaeri's orders to the per-order key (issue #14; docs/operations.md)."""
    from datetime import UTC, datetime

    from okaeri.aws.clients import dynamodb_client
    from okaeri.aws.orders_migration import OrderKeyMigration

    migration = OrderKeyMigration(args.table, now=lambda: datetime.now(UTC), client=dynamodb_client())
    report = migration.run(limit=args.limit)
    for line in report.lines():
        print(line)
    return 0 if report.left == 0 else EXIT_REFUSED


def cmd_refigure_customers(args: argparse.Namespace) -> int:
    """Make a shop's customer figures again from its orders (customers from before issue #16)."""
    from zoneinfo import ZoneInfo

    from okaeri.aws.clients import dynamodb_client
    from okaeri.aws.customers import DynamoCustomers
    from okaeri.aws.customers_refigure import CustomerRefigure
    from okaeri.aws.orders import DynamoOrders
    from okaeri.wiring import SystemClock

    client = dynamodb_client()
    customers = DynamoCustomers(
        args.customers_table, retention_days=args.retention_days, clock=SystemClock(), client=client
    )
    orders = DynamoOrders(args.orders_table, retention_days=args.retention_days, client=client)
    refigure = CustomerRefigure(
        customers, orders, customers_table=args.customers_table, zone=ZoneInfo(args.timezone), client=client
    )
    for shop_id in args.shop:
        for line in refigure.run(shop_id).lines():
            print(line)
    return 0


def cmd_recount(args: argparse.Namespace) -> int:
    """Set every shop's mail counters from the deliveries (a deployment from before them; repairs)."""
    from okaeri.aws.clients import dynamodb_client
    from okaeri.aws.deliveries import DynamoDeliveries

    store = DynamoDeliveries(args.table, retention_days=1, client=dynamodb_client())  # writes no delivery
    for shop_id, counts in store.recount().items():
        print(f"{shop_id}: " + ", ".join(f"{name} {n}" for name, n in counts.items()))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="okaeri",
        description="Okaeri follow-up mail: parse, plan, render, lint, add-shop, migrate-order-keys, refigure-customers, recount (and, in a development install, dev: the local stack)",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    parse = commands.add_parser("parse", help="read an order mail and print the Order as JSON")
    parse.add_argument("mail", help="the mail file (.eml)")
    parse.add_argument("--mask", action="append", default=[], help="a parse mask (YAML); may repeat")
    parse.add_argument("--timezone", default="Asia/Tokyo", help="timezone of times in the mail")
    parse.set_defaults(run=cmd_parse)

    plan = commands.add_parser("plan", help="plan an order's follow-up mails")
    plan.add_argument("--shop", required=True)
    plan.add_argument("--scenario", action="append", required=True, help="may repeat")
    plan.add_argument("--order", required=True, help="an Order JSON (as printed by `okaeri parse`)")
    plan.add_argument("--now", help="ISO 8601 date-time with offset (default: the current time)")
    plan.add_argument(
        "--order-count", type=int, default=1, help="this order is the customer's N-th (default 1)"
    )
    plan.set_defaults(run=cmd_plan)

    render = commands.add_parser("render", help="render a template for an order into a MIME message")
    render.add_argument("--shop", required=True)
    render.add_argument("--template", required=True)
    render.add_argument("--order", required=True)
    render.add_argument("--to", help="recipient (default: the order's customer.email)")
    render.add_argument("--coupons", action="append", default=[], help="POOL=codes.csv; may repeat")
    render.add_argument("--advertising", action="store_true", help="add the 特定電子メール法 footer")
    render.add_argument("--delivery-id", default="preview", help="the delivery the mail belongs to")
    render.add_argument("--order-count", type=int, default=1, help="this order is the customer's N-th")
    render.add_argument("--now", help="the Date header's time (default: now)")
    render.set_defaults(run=cmd_render)

    lint = commands.add_parser(
        "lint", help="check a scenario against the profiles its orders can follow (shop + its sources)"
    )
    lint.add_argument("--shop", required=True)
    lint.add_argument("--scenario", required=True)
    lint.add_argument("--template", action="append", default=[], help="templates to check too; may repeat")
    lint.set_defaults(run=cmd_lint)

    add_shop = commands.add_parser(
        "add-shop", help="create a shop's settings in a deployed Okaeri (the stack's ConfigTable output)"
    )
    add_shop.add_argument("shop", help="the shop's settings (YAML or JSON, as the admin page edits them)")
    add_shop.add_argument("--table", required=True, help="the config table's name (stack output ConfigTable)")
    add_shop.set_defaults(run=cmd_add_shop)

    migrate = commands.add_parser(
        "migrate-order-keys",
        help="move orders from the old shop-wide key to the per-order key (once, after the deploy; resumable)",
    )
    migrate.add_argument("--table", required=True, help="the orders table's name (stack output OrdersTable)")
    migrate.add_argument("--limit", type=int, help="stop after this many old-key orders (run again to go on)")
    migrate.set_defaults(run=cmd_migrate_order_keys)

    refigure = commands.add_parser(
        "refigure-customers",
        help="make customers' order figures (total spent, last order day, …) again from their orders "
        "(once after updating to issue #16's version; idempotent)",
    )
    refigure.add_argument("shop", nargs="+", help="the shop id(s)")
    refigure.add_argument(
        "--customers-table",
        required=True,
        help="the customers table's name (the stack's okaeri customers table)",
    )
    refigure.add_argument("--orders-table", required=True, help="stack output OrdersTable")
    refigure.add_argument(
        "--timezone", default="Asia/Tokyo", help="the shops' time zone (default Asia/Tokyo)"
    )
    refigure.add_argument(
        "--retention-days",
        type=int,
        default=730,
        help="the stack's data_retention_days (the customer items' TTL, default 730)",
    )
    refigure.set_defaults(run=cmd_refigure_customers)

    recount = commands.add_parser(
        "recount",
        help="set each shop's waiting / unknown counters from a scan of the deliveries table (idempotent)",
    )
    recount.add_argument(
        "--table",
        required=True,
        help="the deliveries table's name (the stack's table whose name holds Deliveries)",
    )
    recount.set_defaults(run=cmd_recount)

    return parser


def _quiet_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's last flush finds no closed pipe either."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    finally:
        os.close(devnull)


def _run(args: argparse.Namespace) -> int:
    try:
        code: int = args.run(args)
    except OkaeriError as exc:
        print(f"okaeri {args.command}: [{exc.code}] {exc.message_ja}", file=sys.stderr)
        print(f"okaeri {args.command}: [{exc.code}] {exc.message_en}", file=sys.stderr)
        return EXIT_REFUSED
    return code


def main(argv: Sequence[str] | None = None) -> int:
    try:
        code = _run(build_parser().parse_args(argv))
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader went away (`okaeri parse … | head`, or `--help | head`): what it did not read
        # is not wanted. End quietly, with the status a shell gives a writer stopped by SIGPIPE.
        _quiet_stdout()
        return EXIT_BROKEN_PIPE
    return code


if __name__ == "__main__":
    sys.exit(main())
