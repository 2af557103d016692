"""Wishmap: a participatory map for vacant shop premises."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask import Flask

from wishmap import auth, cli, db, i18n, identity_provider, limits, security, serving
from wishmap.config import Defaults, from_environment, instance_secret_key, sqlite_url
from wishmap.views import accounts as account_views
from wishmap.views import admin as admin_views
from wishmap.views import api_tokens as api_token_views
from wishmap.views import applications as application_views
from wishmap.views import claims as claim_views
from wishmap.views import dashboard as dashboard_views
from wishmap.views import exclusions as exclusion_views
from wishmap.views import health as health_views
from wishmap.views import identity as identity_views
from wishmap.views import insights as insight_views
from wishmap.views import language as language_views
from wishmap.views import map as map_views
from wishmap.views import me as me_views
from wishmap.views import open_data as open_data_views
from wishmap.views import outcomes as outcome_views
from wishmap.views import portfolio as portfolio_views
from wishmap.views import premises as premise_views
from wishmap.views import reports as report_views
from wishmap.views import site_texts as site_text_views
from wishmap.views import statistics as statistics_views
from wishmap.views import wishes as wish_views

ROOT = Path(__file__).resolve().parent.parent

# Every URL group of the app, in one list a reader can scan.
BLUEPRINTS = [
    map_views.bp,
    account_views.bp,
    identity_views.bp,
    premise_views.bp,
    wish_views.bp,
    me_views.bp,
    outcome_views.bp,
    language_views.bp,
    claim_views.bp,
    exclusion_views.bp,
    report_views.bp,
    admin_views.bp,
    site_text_views.bp,
    insight_views.bp,
    application_views.bp,
    portfolio_views.bp,
    statistics_views.bp,
    dashboard_views.bp,
    open_data_views.bp,
    api_token_views.bp,
    health_views.bp,
]


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Return a configured Wishmap app: config → extensions → blueprints → commands."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.from_object(Defaults)
    app.config.from_pyfile("config.py", silent=True)
    app.config.update(from_environment())
    if test_config:
        app.config.update(test_config)
    if not app.config.get("DATABASE_URL"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        app.config["DATABASE_URL"] = sqlite_url(app.instance_path)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret_key(app.instance_path)
    logging.basicConfig(
        level=app.config["LOG_LEVEL"], format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # Alembic narrates every plugin at INFO; its warnings still show.
    logging.getLogger("alembic").setLevel(logging.WARNING)

    serving.init_app(app)
    db.init_app(app)
    auth.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    limits.init_app(app)
    identity_provider.init_app(app)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    cli.init_app(app)
    return app
