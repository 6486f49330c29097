"""The portal's routers, one per area (the FastAPI full-stack template's ``api/routes``).

- :mod:`~portal.routes.health`: ``/healthz``, for the service manager.
- :mod:`~portal.routes.auth`: ``/``, ``/login``, ``/logout`` (CSRF-checked, no role).
- :mod:`~portal.routes.unit`: a unit's clerk (``/unit``…; role ``unit``).
- :mod:`~portal.routes.office`: the provincial office (``/office``…; role ``office``).
- :mod:`~portal.routes.api`: the JSON API for district software (bearer token).

What each router requires is declared where it is made (:mod:`portal.deps`); :data:`ROUTERS`
is what :func:`portal.app.create_app` includes, in this order.
"""

from __future__ import annotations

from portal.routes import api, auth, health, office, unit

ROUTERS = (health.router, auth.router, unit.router, api.router, office.router)
