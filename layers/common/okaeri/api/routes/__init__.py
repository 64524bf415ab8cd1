"""One module per area of the admin API; each has ``register(app, deps)``."""

from __future__ import annotations

from collections.abc import Callable

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver

from okaeri.api.deps import AdminDeps
from okaeri.api.routes import (
    coupons,
    customers,
    dashboard,
    deliveries,
    imports,
    logs,
    masks,
    me,
    orders,
    public,
    relays,
    scenarios,
    shop,
    templates,
    users,
    webhooks,
)

Registrar = Callable[[APIGatewayHttpResolver, AdminDeps], None]

REGISTRARS: tuple[Registrar, ...] = (
    public.register,
    me.register,
    orders.register,
    deliveries.register,
    customers.register,
    logs.register,
    dashboard.register,
    shop.register,
    scenarios.register,
    templates.register,
    masks.register,
    coupons.register,
    users.register,
    imports.register,
    webhooks.register,
    relays.register,
)
