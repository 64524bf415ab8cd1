"""A faster road to the moto server for the demo history's thousands of calls (``history.py``).

Every handler's AWS call goes to the moto server over loopback: about ten milliseconds each, most
of it moto's own work. The history makes some 50 calls an order, so while it is played, and only
then (``LocalStack`` turns it on around ``play_history``):

- **no socket**: a ``before-send`` handler (botocore's hook, the one moto's own decorator uses) hands
  each request for the moto server's URL to the server's WSGI application in the calling thread.
  The same application, routes and backends answer it; the socket, the HTTP parsing and the
  server's thread per connection are skipped. A request whose body is not plain bytes (a stream)
  goes over the socket as usual;
- **moto's three shortcuts** of ``bench/fast_moto.py`` (transaction backups of the items a
  transaction names, table queries walking their partition, plain ``AttributeValue`` serialising),
  which answer exactly what moto answers (``tests/integration/bench/test_fast_moto.py`` compares
  every answer, table and stream). Where they cannot be had (moto changed since they were
  checked, or no ``bench/`` beside the stack) the history runs without them, only slower.

The services, adapters and handlers are the same either way: only how a request reaches moto changes.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import botocore.handlers
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.compat import HTTPHeaders
from moto.core.botocore_stubber import MockRawResponse
from werkzeug.test import EnvironBuilder, run_wsgi_app

log = logging.getLogger("okaeri_dev.fast_lane")

_HOOK = "before-send"


class DirectCalls:
    """The ``before-send`` handler: while ``on``, a request to ``url`` is answered by ``app`` in process."""

    def __init__(self, app: Any, url: str) -> None:
        self._app = app
        self._url = url.rstrip("/")
        self._on = False
        self._services: dict[str, Any] = {}  # botocore's service id → moto's application for it
        self.calls = 0  # answered in process

    def install(self) -> None:
        """In every botocore session made from now on (the stack's clients are made after this)."""
        botocore.handlers.BUILTIN_HANDLERS.append((_HOOK, self))

    def uninstall(self) -> None:
        with contextlib.suppress(ValueError):
            botocore.handlers.BUILTIN_HANDLERS.remove((_HOOK, self))

    @contextlib.contextmanager
    def on(self) -> Iterator[None]:
        self._on = True
        try:
            yield
        finally:
            self._on = False

    def __call__(self, request: AWSPreparedRequest, **kwargs: Any) -> AWSResponse | None:
        body = request.body
        if not self._on or not request.url.startswith(self._url + "/"):
            return None
        if isinstance(body, str):
            body = body.encode("utf-8")
        if body is not None and not isinstance(body, bytes | bytearray):
            return None  # a streamed body: over the socket, as the server reads it
        url = urlsplit(request.url)
        environ = EnvironBuilder(
            method=request.method,
            path=url.path,
            query_string=url.query,
            headers=[(name, _text(value)) for name, value in request.headers.items()],
            data=bytes(body or b""),
            base_url=f"{url.scheme}://{url.netloc}",
        ).get_environ()
        chunks, status, answered = run_wsgi_app(self._service_app(kwargs, environ), environ, buffered=True)
        headers = HTTPHeaders()
        for name, value in answered.items():
            headers[name] = value
        self.calls += 1
        return AWSResponse(request.url, int(status.split()[0]), headers, MockRawResponse(b"".join(chunks)))

    def _service_app(self, kwargs: dict[str, Any], environ: dict[str, Any]) -> Any:
        """The server's application for the request's service (``before-send.<service>.<operation>``),
        found once per service: the server finds it anew for every request."""
        service = str(kwargs.get("event_name", "")).split(".")[1:2]
        if not service:
            return self._app
        found = self._services.get(service[0])
        if found is None:
            found = self._services[service[0]] = self._app.get_application(environ)
        return found


def _text(value: str | bytes) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else value


@contextlib.contextmanager
def fast_lane(direct: DirectCalls) -> Iterator[None]:
    """Direct calls and moto's shortcuts inside the block (see the module's docstring)."""
    with direct.on(), _moto_shortcuts():
        yield


def _moto_shortcuts() -> contextlib.AbstractContextManager[None]:
    try:
        from bench.fast_moto import check_sources, faster_moto

        check_sources()
    except (ImportError, RuntimeError) as exc:
        log.warning("the history runs on moto as shipped (slower): %s", exc)
        return contextlib.nullcontext()
    return faster_moto()
