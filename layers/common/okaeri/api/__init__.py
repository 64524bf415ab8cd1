"""The admin API (functions/admin): shop operators manage everything through it.

``build_api(deps)`` gives the API (``AdminApi``: a resolver per area, built on first use); ``okaeri.api.routes`` holds one module per area.
"""

from okaeri.api.app import AdminApi, build_api

__all__ = ["AdminApi", "build_api"]
