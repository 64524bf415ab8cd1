"""One module per area of the admin API; each has ``register(app, deps)``."""

from __future__ import annotations

from collections.abc import Callable

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver

from okaeri.api.deps import AdminDeps
from okaeri.api.routes import me, public

Registrar = Callable[[APIGatewayHttpResolver, AdminDeps], None]

REGISTRARS: tuple[Registrar, ...] = (
    public.register,
    me.register,
)
