"""wissen: knowledge transfer for German municipalities working on demographic change."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

# Flask is imported inside create_app: the extraction child process imports the package
# too, and should not pay for the web framework on every document.
if TYPE_CHECKING:
    from flask import Flask

__version__ = "0.1.0"


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app; ``config`` overrides settings by their key (``DATA_DIR``, …)."""
    from flask import Flask

    from wissen import jobs
    from wissen.config import ensure_secret_key, load_settings
    from wissen.extensions import csrf, db, limiter, login_manager
    from wissen.web import register_web

    settings = load_settings(overrides=config)
    app = Flask(__name__, instance_path=settings["DATA_DIR"])
    app.config.update(settings)
    app.config["SECRET_KEY"] = ensure_secret_key(settings)
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        WTF_CSRF_TIME_LIMIT=None,
        RATELIMIT_STORAGE_URI=settings["RATELIMIT_STORAGE"] or "memory://",
        JSON_SORT_KEYS=False,
    )
    Path(settings["UPLOAD_DIR"]).mkdir(parents=True, exist_ok=True)
    Path(settings["INDEX_DIR"]).mkdir(parents=True, exist_ok=True)
    db.bind(settings["DATABASE_URL"])
    # Tests pass JOBS_IMMEDIATE so that background jobs run at once, in the request.
    jobs.configure(settings, immediate=bool((config or {}).get("JOBS_IMMEDIATE", False)))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    register_web(app)
    if settings["PROXIES"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Behind nginx every request comes from 127.0.0.1: without this, login throttling
        # would count all visitors as one address. Only as many hops as configured are
        # trusted, so a visitor cannot spoof their address with their own header.
        n = settings["PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]
    app.teardown_appcontext(lambda _exc: db.session.remove())
    return app
