"""GET /api/health: is the service able to score, and with which model? No auth, no model loading."""
from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint

from api.endpoints import endpoint
from api.schemas import Health
from api.services import services
from shared.db import database_status

bp = Blueprint("health", __name__)


@bp.get("/health")
@endpoint("Service health: broker, database, ready workers and their model", tag="health", public=True,
          responses={200: ("Health, also when degraded", Health)})
def health() -> dict[str, object]:
    svc = services()
    database = database_status(svc.db)
    try:
        svc.redis.ping()
        ready = svc.workers.ready()
        broker_ok = True
    except Exception:  # redis-py raises several families for a down or half-open server
        broker_ok, ready = False, []
    model = ready[0]["model"] if ready else {"name": None, "fallback": None}
    return Health.model_validate(
        {
            "status": "ok" if database.writable and broker_ok and ready else "degraded",
            "model": {"configured": svc.settings.model_name, "name": model["name"], "fallback": model["fallback"]},
            "broker": {"reachable": broker_ok},
            "database": asdict(database),
            "workers": {"ready": len(ready), "processes": sorted(w["process"] for w in ready)},
        }
    ).model_dump()

