"""The admin API (functions/admin): shop operators manage everything through it.

``build_api(deps)`` gives the resolver; ``okaeri.api.routes`` holds one module per area.
"""

from okaeri.api.app import build_api

__all__ = ["build_api"]
