"""The whole local stack: start it, stop it, say where everything is.

``LocalStack(options).start()`` brings up, in this process and on loopback only:

1. the AWS emulator (a moto server) with the deployment's resources (``resources.py``);
2. the very handlers' dependencies, built by ``okaeri.wiring`` from the same environment the
   CDK gives the functions, with the local clock; their SES and relay transports note every mail
   in the outbox (SES still goes through moto);
3. the demo shop and its operators (``demo.py``), and with ``history`` its 120 days of orders and
   mails before the clock's start, made through the stack's own paths (``history.py``);
4. the dispatcher (stream → schedule, wake-ups → send, the sweeper; ``dispatcher.py``);
5. SMTP playing SES inbound (``smtp.py``) and HTTP playing API Gateway (``gateway.py``, ``dev_api.py``),
   with the user pool's client calls on the same origin (``cognito_proxy.py``).

``stop()`` takes them down in reverse order, closes every port and puts the process's AWS
environment back. One stack per process: moto's state is the process's.
"""

from __future__ import annotations

import errno
import functools
import logging
import os
import shlex
import signal
import sys
import threading
import time
import traceback
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar, Final, TypeVar
from zoneinfo import ZoneInfo

import boto3
from botocore.exceptions import ClientError
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import make_server

from functions.admin import handler as admin_handler
from functions.ingest import handler as ingest_handler
from functions.schedule import handler as schedule_handler
from functions.send import handler as send_handler
from infra.resources import cognito_issuer, inbound_recipient
from okaeri.api import AdminApi, build_api
from okaeri.aws.clients import dynamodb_client, reset_clients, s3_client
from okaeri.aws.config import DynamoConfig, DynamoCoupons
from okaeri.errors import ConfigError
from okaeri.observability import logger, metrics
from okaeri.services.ingest import IngestDeps
from okaeri.services.schedule import ScheduleDeps
from okaeri.services.send import SendDeps
from okaeri.services.winback import WinbackDeps
from okaeri.settings import AdminSettings, IngestSettings, ScheduleSettings, SendSettings, settings_from
from okaeri.wiring import (
    build_admin_deps,
    build_ingest_deps,
    build_schedule_deps,
    build_send_deps,
    build_winback_deps,
)
from okaeri_dev import demo
from okaeri_dev.apigw import http_event
from okaeri_dev.clock import DevClock
from okaeri_dev.cognito_proxy import CognitoProxy
from okaeri_dev.demo import Login
from okaeri_dev.dev_api import DevEndpoints
from okaeri_dev.dispatcher import Dispatcher, ScheduleBook, StreamReader, Targets
from okaeri_dev.fast_lane import DirectCalls, fast_lane
from okaeri_dev.gateway import GatewayApp, GatewayServer, TokenVerifier
from okaeri_dev.history import DAYS as HISTORY_DAYS
from okaeri_dev.history import History, plan_history, play_history
from okaeri_dev.net import check_port
from okaeri_dev.outbox import Outbox, RecordingTransport, outbox_relays
from okaeri_dev.resources import REGION, Resources, create_resources
from okaeri_dev.smtp import SesInbound, SmtpInbound

log = logging.getLogger("okaeri_dev")

LOCAL_DOMAIN: Final = "okaeri.local"
TOKYO: Final = ZoneInfo("Asia/Tokyo")
T = TypeVar("T")


@dataclass(frozen=True)
class Functions:
    """What each function runs with locally (the admin function: its resolver, built on its deps)."""

    ingest: IngestDeps
    schedule: ScheduleDeps
    send: SendDeps
    admin: AdminApi
    winback: WinbackDeps  # the schedule function's code, on its own recurring schedule


@dataclass(frozen=True)
class StackOptions:
    host: str = "127.0.0.1"
    port: int = 8080  # the gateway (admin page, API, /dev); 0 picks a free port, as do the others
    smtp_port: int = 2525
    aws_port: int = 5000
    owner_password: str | None = None  # None: a fresh one, printed
    clock_start: datetime | None = None  # None: now
    ticking: bool = True  # False freezes the clock between moves (the tests)
    tick_seconds: float = 1.0  # the dispatcher's background round; 0: none (only on demand)
    page_dir: Path = admin_handler.PAGE_DIR  # the admin page's built files (``make web``)
    send_rate: int = (
        14  # the SES send rate the admin function is told (cdk.json's default): the dashboard's pace
    )
    history: bool = False  # the demo shop's 120 days of orders and mails, ending at clock_start


class AwsEnvironment:
    """Made-up credentials in Tokyo, every AWS client pointed at the moto server, no profile or
    config file read: nothing the stack does can reach a real account. Undone by ``restore``."""

    REMOVED: Final = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
                      "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                      "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN")  # fmt: skip

    def __init__(self, aws_url: str, region: str) -> None:
        self._values = {
            "AWS_ENDPOINT_URL": aws_url,
            "AWS_ACCESS_KEY_ID": "okaeri-local",
            "AWS_SECRET_ACCESS_KEY": "okaeri-local",
            "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region,
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "AWS_EC2_METADATA_DISABLED": "true",
        }
        self._saved: dict[str, str | None] = {}
        self._session: boto3.Session | None = None

    def apply(self) -> None:
        overridden = [name for name in os.environ if name.startswith("AWS_ENDPOINT_URL_")]
        for name in [*self._values, *self.REMOVED, *overridden]:
            self._saved[name] = os.environ.pop(name, None)
        os.environ.update(self._values)
        self._session, boto3.DEFAULT_SESSION = boto3.DEFAULT_SESSION, None
        reset_clients()

    def restore(self) -> None:
        for name, value in self._saved.items():
            os.environ.pop(name, None)
            if value is not None:
                os.environ[name] = value
        self._saved.clear()
        boto3.DEFAULT_SESSION = self._session
        reset_clients()


class MotoServer:
    """The moto server on ``host:port`` in a thread of this process (bound before it returns)."""

    def __init__(self, host: str, port: int) -> None:
        if port:
            check_port(host, port)
        try:
            self._server = make_server(
                host,
                port,
                DomainDispatcherApplication(create_backend_app),
                threaded=True,
                request_handler=MotoRequestHandler,
            )
        except SystemExit as exc:  # werkzeug exits the process when it cannot bind: taken by a racer
            raise OSError(errno.EADDRINUSE, f"port {port} is in use") from exc
        self._thread = threading.Thread(target=self._server.serve_forever, name="okaeri-dev-aws", daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_port)

    @property
    def app(self) -> Any:
        """The WSGI application the server runs (the history's direct calls: ``fast_lane.py``)."""
        return self._server.app

    def start(self) -> None:
        self._thread.start()

    def reset(self) -> None:
        """Forget every resource (moto's state lives in the process)."""
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}/moto-api/reset", method="POST")
        with urllib.request.urlopen(request, timeout=30):
            pass

    def stop(self) -> None:
        self._server.shutdown()  # serve_forever closes the socket as it returns
        self._thread.join(30)


class LocalStack:
    _running: ClassVar[LocalStack | None] = None
    _guard: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, options: StackOptions | None = None) -> None:
        self.options = options or StackOptions()
        start = self.options.clock_start
        self._history_end = (start or datetime.now(UTC)) if self.options.history else None
        if self._history_end is not None:  # the clock starts the history's days before, and reaches start
            start = self._history_end - timedelta(days=HISTORY_DAYS)
        self.clock = DevClock(start, ticking=self.options.ticking)
        self.history: History | None = None
        self.history_seconds = 0.0
        self.history_mails = 0
        self.outbox = Outbox()
        self.lock = threading.RLock()  # one invocation at a time, as one Lambda per event
        self.metrics: Counter[str] = Counter()
        self.logins: list[Login] = []
        self.aws_url = self.gateway_url = ""
        self.smtp_port = 0
        self.user_pool_id = self.user_pool_client_id = ""
        self._stops: list[tuple[str, Callable[[], None]]] = []
        self._dispatcher: Dispatcher | None = None
        self._direct: DirectCalls | None = None

    # --- lifecycle ---

    def start(self) -> LocalStack:
        with LocalStack._guard:
            if LocalStack._running is not None:
                raise ConfigError(
                    "このプロセスではローカルスタックがすでに動いています",
                    "a local stack is already running in this process",
                )
            LocalStack._running = self
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Everything down in reverse order; every port closed. Safe to call twice."""
        while self._stops:
            name, stop = self._stops.pop()
            try:
                stop()
            except Exception:  # keep going: the other parts must still close their ports
                log.error("stopping %s failed:\n%s", name, traceback.format_exc())
        with LocalStack._guard:
            if LocalStack._running is self:
                LocalStack._running = None

    def __enter__(self) -> LocalStack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def dispatcher(self) -> Dispatcher:
        if self._dispatcher is None:
            raise RuntimeError("the local stack is not running")
        return self._dispatcher

    def _start(self) -> None:
        options = self.options
        for what, option, port in (("HTTP", "--port", options.port), ("SMTP", "--smtp-port", options.smtp_port),
                                   ("AWS", "--aws-port", options.aws_port)):  # fmt: skip
            if port:  # every port tried before anything starts: a busy one is refused at once
                _bind(what, option, port, functools.partial(check_port, options.host, port))
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto's server: no line per AWS call
        aws = _bind("AWS", "--aws-port", options.aws_port, lambda: MotoServer(options.host, options.aws_port))
        aws.start()
        self._stops.append(("aws", aws.stop))
        aws.reset()
        self.aws_url = f"http://{options.host}:{aws.port}"
        self._direct = DirectCalls(aws.app, self.aws_url)
        self._direct.install()  # before the stack's clients are made; on only while the history plays
        self._stops.append(("direct calls", self._direct.uninstall))
        environment = AwsEnvironment(self.aws_url, REGION)
        environment.apply()
        self._stops.append(("environment", environment.restore))
        session = boto3.session.Session(region_name=REGION)
        sender = demo.demo_shop().shop.sender.address
        resources = create_resources(session, sending_domains=[sender.rsplit("@", 1)[1]])
        self.user_pool_id, self.user_pool_client_id = resources.user_pool_id, resources.user_pool_client_id
        self._wire(session, resources)

    def _wire(self, session: boto3.Session, resources: Resources) -> None:
        """The functions, the dispatcher between them, then the doors: HTTP, the demo data, SMTP."""
        options = self.options
        functions = self._functions(resources.environment() | {"SEND_RATE": str(self.options.send_rate)})
        dispatcher = self._dispatcher = self._make_dispatcher(session, resources, functions)
        gateway = _bind(
            "HTTP", "--port", options.port, lambda: self._make_gateway(resources, functions, dispatcher)
        )
        self._stops.append(("gateway", gateway.stop))
        self.gateway_url = f"http://{options.host}:{gateway.port}"
        config = DynamoConfig(resources.tables["config"], client=dynamodb_client())
        demo.load_demo(
            demo.demo_shop(public_base_url=self.gateway_url),  # unsubscribe links come to this gateway
            config=config,
            coupons=DynamoCoupons(resources.tables["config"], client=dynamodb_client()),
            secrets_client=session.client("secretsmanager"),
        )
        self.logins = _create_logins(session, resources.user_pool_id, options.owner_password)
        inbound = self._make_inbound(resources, functions, dispatcher, config)
        if self._history_end is not None:
            owner = demo.owner_claims(session.client("cognito-idp"), resources.user_pool_id)
            self._play_history(self._history_end, self._admin(functions, dispatcher), inbound, owner)
        smtp = _bind(
            "SMTP",
            "--smtp-port",
            options.smtp_port,
            lambda: SmtpInbound(inbound, host=options.host, port=options.smtp_port),
        )
        _bind("SMTP", "--smtp-port", smtp.port, smtp.start)
        self._stops.append(("smtp", smtp.stop))
        self.smtp_port = smtp.port
        gateway.start()
        dispatcher.pump()
        if options.tick_seconds > 0:
            dispatcher.start(options.tick_seconds)
            self._stops.append(("dispatcher", dispatcher.stop))

    def _functions(self, environ: dict[str, str]) -> Functions:
        """Each function's dependencies as its cold start builds them, with the local clock; mail out
        goes through SES in moto (noted in the outbox) or a relay that delivers into the outbox."""
        clock, outbox = self.clock, self.outbox
        relays = outbox_relays(outbox, clock)
        send = build_send_deps(settings_from(SendSettings, environ), clock)
        admin = build_admin_deps(settings_from(AdminSettings, environ), clock)
        return Functions(
            ingest=build_ingest_deps(settings_from(IngestSettings, environ), clock),
            schedule=build_schedule_deps(settings_from(ScheduleSettings, environ), clock),
            winback=build_winback_deps(settings_from(ScheduleSettings, environ), clock),
            send=replace(send, ses=RecordingTransport(send.ses, outbox, clock), relay_for=relays),
            admin=build_api(
                replace(admin, ses=RecordingTransport(admin.ses, outbox, clock), relay_for=relays),
                page_dir=self.options.page_dir,
            ),
        )

    def _make_dispatcher(
        self, session: boto3.Session, resources: Resources, functions: Functions
    ) -> Dispatcher:
        return Dispatcher(
            clock=self.clock,
            lock=self.lock,
            targets=self._targets(functions, session.client("sqs"), resources.dead_letter_url),
            stream=StreamReader(
                session.client("dynamodbstreams"), stream_arn=resources.orders_stream_arn, region=REGION
            ),
            book=ScheduleBook(
                session.client("scheduler"),
                group=resources.schedule_group,
                account=resources.account,
                region=REGION,
            ),
        )

    def _targets(self, functions: Functions, sqs: Any, dead_letter_url: str) -> Targets:
        """The schedule and send functions as the dispatcher invokes them (one invocation each)."""

        def schedule(event: dict[str, Any]) -> Mapping[str, Any]:
            with self._invocation("schedule"):
                return schedule_handler.handle(event, functions.schedule)

        def wake_up(event: dict[str, Any]) -> Mapping[str, Any]:
            with self._invocation("send"):
                return send_handler.handle_wake_up(event, functions.send)

        def sweep() -> Mapping[str, Any]:
            with self._invocation("send"):
                return send_handler.handle_sweep(functions.send)

        def winback() -> Mapping[str, Any]:
            with self._invocation("schedule"):
                return schedule_handler.handle_winback(functions.winback)

        def dead_letter(payload: str) -> object:
            return sqs.send_message(QueueUrl=dead_letter_url, MessageBody=payload)

        return Targets(
            schedule=schedule, wake_up=wake_up, sweep=sweep, winback=winback, dead_letter=dead_letter
        )

    def _admin(
        self, functions: Functions, dispatcher: Dispatcher
    ) -> Callable[[dict[str, Any]], dict[str, Any]]:
        """The admin function as the gateway invokes it (after the token's check)."""

        def admin(event: dict[str, Any]) -> dict[str, Any]:
            with self._invocation("admin"):
                answer = admin_handler.handle(event, functions.admin)
            if event["requestContext"]["http"]["method"] not in ("GET", "HEAD", "OPTIONS"):
                dispatcher.pump()  # a write may have changed an order: its stream records, at once
            return answer

        return admin

    def _play_history(
        self,
        end: datetime,
        admin: Callable[[dict[str, Any]], dict[str, Any]],
        inbound: SesInbound,
        owner: dict[str, str],
    ) -> None:
        """The demo shop's history (``history.py``): the owner imports each morning's RMS CSV through
        the admin API, Rakuten's cancellation notices come in as mail; the clock then reaches its start."""
        self.history = history = plan_history(demo.demo_shop(), end=end)

        def import_rms(data: bytes) -> None:
            path = f"/api/shops/{demo.SHOP_ID}/imports/rakuten"
            headers = {"content-type": "application/octet-stream"}
            answer = admin(http_event("POST", path, headers=headers, body=data, claims=owner))
            if answer["statusCode"] != 200:
                raise RuntimeError(f"the history's import was refused: {answer.get('body', '')[:500]}")

        def receive_mail(raw: bytes) -> None:
            recipient = inbound_recipient(demo.SHOP_ID, LOCAL_DOMAIN)
            for received in inbound.receive(
                mail_from="order@rakuten.co.jp",
                recipients=[recipient],
                raw=raw,
                peer="127.0.0.1",
                helo="history",
            ):
                if received.result.get("result") != "parsed":
                    raise RuntimeError(f"the history's mail was not taken: {received.result}")

        direct = self._direct
        assert direct is not None, "made at the start, before the clients"
        started = time.monotonic()
        with self.dispatcher.sweeper_paused(), fast_lane(direct):
            play_history(
                history,
                advance_to=self.dispatcher.advance_to,
                import_rms=import_rms,
                receive_mail=receive_mail,
            )
        if self.options.clock_start is None:  # the history took a while: now is now
            self.dispatcher.advance_to(max(datetime.now(UTC), self.clock.now()))
        self.history_seconds = time.monotonic() - started
        self.history_mails = len(self.outbox)
        log.info(
            "demo history: %d orders, %d mails in %.1f s (%d AWS calls without the socket)",
            len(history.orders),
            self.history_mails,
            self.history_seconds,
            direct.calls,
        )

    def _make_gateway(
        self, resources: Resources, functions: Functions, dispatcher: Dispatcher
    ) -> GatewayServer:
        admin = self._admin(functions, dispatcher)
        verifier = TokenVerifier(
            jwks_url=f"{self.aws_url}/{resources.user_pool_id}/.well-known/jwks.json",
            issuer=cognito_issuer(REGION, resources.user_pool_id),
            audience=resources.user_pool_client_id,
        )
        dev = DevEndpoints(clock=self.clock, dispatcher=dispatcher, outbox=self.outbox, metrics=self._metrics)
        cognito = CognitoProxy(aws_url=self.aws_url)
        app = GatewayApp(admin=admin, verifier=verifier, dev=dev, cognito=cognito)
        return GatewayServer(app, host=self.options.host, port=self.options.port)

    def _make_inbound(
        self, resources: Resources, functions: Functions, dispatcher: Dispatcher, config: DynamoConfig
    ) -> SesInbound:
        def ingest(event: dict[str, Any]) -> dict[str, Any]:
            with self._invocation("ingest"):
                return ingest_handler.handle(event, functions.ingest)

        return SesInbound(
            domain=LOCAL_DOMAIN,
            bucket=resources.bucket,
            region=REGION,
            s3=s3_client(),
            clock=self.clock,
            shop_exists=lambda shop_id: config.shop(shop_id) is not None,
            ingest=ingest,
            after=dispatcher.pump,
        )

    def _metrics(self) -> dict[str, int]:
        with self.lock:
            return dict(self.metrics)

    # --- one function invocation ---

    @contextmanager
    def _invocation(self, function: str) -> Iterator[None]:
        """One invocation at a time; its log keys cleared first and its metrics collected after,
        as Lambda's Powertools decorators do around ``handle``."""
        with self.lock:
            logger.clear_state()
            logger.append_keys(function=function)
            try:
                yield
            finally:
                for name, metric in metrics.metric_set.items():
                    self.metrics[name] += int(sum(metric.get("Value", [])))
                metrics.clear_metrics()
                logger.clear_state()

    # --- what to tell the developer ---

    def banner(self) -> str:
        width = max(len(login.email) for login in self.logins) if self.logins else 0
        logins = [f"    {login.role:<6} {login.email:<{width}}  {login.password}" for login in self.logins]
        now = self.clock.now().astimezone(TOKYO).strftime("%Y-%m-%d %H:%M JST")
        return "\n".join(
            [
                "Okaeri ローカルスタック起動しました / local stack ready  (Ctrl-C で停止 / to stop)",
                "",
                f"  管理画面・API / admin page & API   {self.gateway_url}/   (API {self.gateway_url}/api/, "
                f"OpenAPI {self.gateway_url}/api/openapi.json)",
                f"  サインイン設定 / sign-in settings   {self.gateway_url}/config.json",
                f"  AWS エミュレータ / AWS emulator     {self.aws_url}   (user pool {self.user_pool_id}, "
                f"app client {self.user_pool_client_id})",
                f"  注文メール受信 / order mail in      smtp://{self.options.host}:{self.smtp_port}   "
                f"→ orders+demo@{LOCAL_DOMAIN}",
                f"  送信メール / outbox                 {self.gateway_url}/dev/outbox",
                f"  時計 / clock                        {self.gateway_url}/dev/clock   (now {now})",
                *self._history_line(),
                "",
                "  ログイン / logins (shop demo)",
                *logins,
                "",
                "  試す（別の端末で）/ try it (in another terminal)",
                *(f"    {command}" for command in self.try_it()),
            ]
        )

    def _history_line(self) -> list[str]:
        if self.history is None:
            return []
        days, orders, mails = HISTORY_DAYS, len(self.history.orders), self.history_mails
        return [
            f"  デモの履歴 / demo history           {days}日分 注文 {orders}件・メール {mails}通 / "
            f"{days} days: {orders} orders, {mails} mails   (--no-history で無し / to start without)"
        ]

    def try_it(self) -> list[str]:
        """The banner's commands, with the ports in use: a sample order mail in, the owner's token,
        the order through the API, three days on, the mails sent. They run as printed (bash)."""
        python = shlex.quote(_short_path(Path(sys.executable)))
        port = self.gateway_url.rsplit(":", 1)[1]
        owner = next(login for login in self.logins if login.role == "owner")
        return [
            f"{python} -m okaeri_dev.send_sample --smtp-port {self.smtp_port} --port {port}",
            f"TOKEN=$({python} -m okaeri_dev.token --port {port} {owner.email} {_single_quoted(owner.password)})",
            f'curl -s -H "Authorization: Bearer $TOKEN" {self.gateway_url}/api/shops/demo/orders',
            f'curl -s -X POST {self.gateway_url}/dev/clock -d \'{{"advance": "3d"}}\'',
            f"curl -s {self.gateway_url}/dev/outbox",
        ]


def serve(options: StackOptions, *, log_level: str = "INFO") -> int:
    """``python -m okaeri_dev``: start, print the banner, run until Ctrl-C (or SIGTERM), stop cleanly."""
    configure_logs(log_level)
    stop_requested = threading.Event()

    def request_stop(signum: int, frame: object) -> None:
        stop_requested.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    stack = LocalStack(options)
    try:
        print("Okaeri ローカルスタックを起動しています… / starting the local stack…", flush=True)
        if options.history:
            print(
                f"  デモショップの{HISTORY_DAYS}日分の履歴を作ります（30秒ほど。--no-history で省略）/ "
                f"making the demo shop's {HISTORY_DAYS} days of history (half a minute; --no-history skips it)",
                flush=True,
            )
        try:
            stack.start()
        except ConfigError as exc:
            print(f"okaeri_dev: {exc.message_ja}\nokaeri_dev: {exc.message_en}", file=sys.stderr)
            return 1
        print(stack.banner(), flush=True)
        while not stop_requested.wait(0.5):
            pass
        print("\n停止しています… / stopping…", flush=True)
        return 0
    finally:
        stack.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def configure_logs(level: str) -> None:
    """The handlers' JSON lines (Powertools, as in CloudWatch) and the stack's own lines, at ``level``;
    nothing else (boto3, moto, aiosmtpd stay quiet)."""
    logger.setLevel(level)
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    log.handlers[:] = [handler]
    log.setLevel(level)
    log.propagate = False


def _create_logins(session: boto3.Session, pool_id: str, owner_password: str | None) -> list[Login]:
    try:
        return demo.create_users(session.client("cognito-idp"), pool_id, owner_password=owner_password)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") != "InvalidPasswordException":
            raise
        raise ConfigError(
            "パスワードがユーザープールの条件を満たしていません（12文字以上、大文字・小文字・数字・記号）",
            "the password does not meet the user pool's policy (12+ characters, upper, lower, digit, symbol)",
        ) from exc


def _bind[T](what: str, option: str, port: int, build: Callable[[], T]) -> T:
    """Build something that listens; a busy port becomes a clear, bilingual refusal."""
    try:
        return build()
    except OSError as exc:
        if exc.errno not in (errno.EADDRINUSE, errno.EACCES):
            raise
        raise ConfigError(
            f"{what} のポート {port} は使えません（使用中か権限がありません）。{option} で別のポートを指定してください",
            f"the {what} port {port} is not available (in use, or not allowed): choose another with {option}",
        ) from exc


def _single_quoted(text: str) -> str:
    """``text`` as one shell word, always in single quotes (a password reads the same every time)."""
    return "'" + text.replace("'", "'\"'\"'") + "'"


def _short_path(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
