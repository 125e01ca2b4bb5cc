"""The Flask app factory: `create_app(settings=None)`, used by gunicorn, the tests and the CLI.

  gunicorn "api.app:create_app()"
  flask --app api.app init-db
"""
from __future__ import annotations

import click
from flask import Flask
from flask_cors import CORS

from api.auth import require_token
from api.errors import register_error_handlers
from api.routes import batches, docs, health, jobs, match, recommendations
from api.security_headers import add_security_headers
from api.services import ApiServices
from shared.config import Settings, get_settings
from shared.db import init_db


class InsecureConfigurationError(RuntimeError):
    """The server refuses to start without a usable APP_TOKEN."""


def create_app(settings: Settings | None = None) -> Flask:
    """Build the API from `settings` (the environment and `.env` when None)."""
    settings = settings or get_settings()
    problem = settings.token_problem()
    if problem is not None:
        raise InsecureConfigurationError(f"refusing to start: {problem} (set a long random APP_TOKEN in .env)")

    app = Flask(__name__, static_folder=None)
    app.config.update(
        APP_TOKEN=settings.app_token.get_secret_value(),  # type: ignore[union-attr]
        MAX_CONTENT_LENGTH=settings.max_request_bytes,
        JSON_SORT_KEYS=False,
        DOCS_PUBLIC=settings.docs_public,
    )
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.extensions["cv_match"] = ApiServices.from_settings(settings)
    CORS(app, resources={r"/api/*": {"origins": settings.cors_origins}}, expose_headers=["Retry-After"])
    register_error_handlers(app)
    app.before_request(require_token)
    app.after_request(add_security_headers)
    for blueprint in (health.bp, jobs.bp, match.bp, recommendations.bp, batches.bp, docs.bp):
        app.register_blueprint(blueprint, url_prefix="/api")

    @app.cli.command("init-db")
    def init_db_command() -> None:
        """Apply seed/schema.sql and seed/jobs_seed.sql (safe to run twice)."""
        count = init_db(app.extensions["cv_match"].db, settings.seed_dir)
        click.echo(f"database ready: {count} jobs")

    return app
