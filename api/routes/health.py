"""GET /api/health: is the service able to score, and with which model? No auth, no model loading."""
from __future__ import annotations

import logging

from flask import Blueprint
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from api.endpoints import endpoint
from api.schemas import Health
from api.services import services

logger = logging.getLogger(__name__)
bp = Blueprint("health", __name__)


@bp.get("/health")
@endpoint("Service health: broker, database, ready workers and their model", tag="health", public=True,
          responses={200: ("Health, also when degraded", Health)})
def health() -> dict[str, object]:
    svc = services()
    database_ok = _database_reachable()
    try:
        svc.redis.ping()
        ready = svc.workers.ready()
        broker_ok = True
    except Exception:  # redis-py raises several families for a down or half-open server
        broker_ok, ready = False, []
    model = ready[0]["model"] if ready else {"name": None, "fallback": None}
    return Health.model_validate(
        {
            "status": "ok" if database_ok and broker_ok and ready else "degraded",
            "model": {"configured": svc.settings.model_name, "name": model["name"], "fallback": model["fallback"]},
            "broker": {"reachable": broker_ok},
            "database": {"reachable": database_ok},
            "workers": {"ready": len(ready), "processes": sorted(w["process"] for w in ready)},
        }
    ).model_dump()


def _database_reachable() -> bool:
    try:
        with services().db.connect() as connection:
            connection.execute(text("SELECT 1 FROM jobs LIMIT 1"))
        return True
    except SQLAlchemyError as error:
        logger.warning("database check failed: %s", type(error).__name__)
        return False
