"""gunicorn settings for serving Wishmap to the public: `make serve` or `gunicorn wsgi:app`.

Every setting can be overridden from the environment: WISHMAP_BIND (default 127.0.0.1:8000,
put a TLS proxy in front), WEB_CONCURRENCY (worker processes), WISHMAP_THREADS (threads per
worker), WISHMAP_TIMEOUT. Without REDIS_URL one process serves (rate limits are counted in
memory); with it, 2 × cores + 1. The server refuses to start on an unsafe configuration
(see wishmap/production.py, or run `flask --app wishmap check-production`).
"""

import os
from typing import Any

from wishmap import create_app
from wishmap.production import default_workers, production_problems
from wishmap.serving import settle_heap

_config = create_app().config

bind = os.environ.get("WISHMAP_BIND", "127.0.0.1:8000")
workers = default_workers(_config)
# Threads let one process overlap a slow client or database round trip with other requests.
threads = int(os.environ.get("WISHMAP_THREADS", "4"))
worker_class = "gthread"
# Each thread may hold one database connection: the PostgreSQL pool matches the threads.
os.environ.setdefault("WISHMAP_DATABASE_POOL_SIZE", str(threads))
os.environ.setdefault("WISHMAP_DATABASE_MAX_OVERFLOW", "2")
timeout = int(os.environ.get("WISHMAP_TIMEOUT", "30"))  # a stuck worker is replaced
graceful_timeout = 30  # requests in flight finish on restart (SIGTERM / SIGHUP)
keepalive = 5
# Recycle workers now and then so that a slow leak never takes a server down.
max_requests = 5000
max_requests_jitter = 500
# Engines are created in each worker, never shared across a fork.
preload_app = False
# Proxy headers (X-Forwarded-*) are trusted by the app itself (TRUSTED_PROXIES), not here.
forwarded_allow_ips = "127.0.0.1"
# gunicorn's control socket (gunicornc) is not used; one per user would clash between servers.
control_socket_disable = True

# Logs: JSON lines on stderr (access and app), for a city's log stack.
accesslog = "-"
errorlog = "-"
logger_class = "wishmap.access_log.JsonAccessLogger"
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "wishmap.serving.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "wishmap.serving.JsonFormatter"},
        "access": {"format": "%(message)s"},
    },
    "handlers": {
        "app": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "filters": ["request_id"],
            "stream": "ext://sys.stderr",
        },
        "access": {
            "class": "logging.StreamHandler",
            "formatter": "access",
            "stream": "ext://sys.stdout",
        },
    },
    "root": {"level": _config["LOG_LEVEL"], "handlers": ["app"]},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["app"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["access"], "propagate": False},
    },
}


def on_starting(server: Any) -> None:
    """Refuse to start on a configuration that is unsafe to serve the public with."""
    problems = production_problems(_config, server.cfg.workers)
    if problems:
        lines = "\n".join(f"  - {problem}" for problem in problems)
        raise SystemExit(f"Wishmap refuses to serve: unsafe configuration\n{lines}")


def post_worker_init(worker: Any) -> None:
    """Keep the loaded app out of the garbage collector's full runs (see settle_heap)."""
    settle_heap()
