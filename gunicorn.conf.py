"""gunicorn's settings for serving Leefwereld in production (README: Production):

    gunicorn -c gunicorn.conf.py 'app:create_app()'

Every value comes from an environment variable with the default below, as the app's own settings do (config.py).
The job worker is a process of its own (`flask --app app worker`); `make serve` starts both on one machine.
"""

from __future__ import annotations

import gc
import multiprocessing
import os

bind = os.environ.get("BIND", "127.0.0.1:8000")

# Resident pages are short requests on the database: processes, not threads, use the cores (the GIL). Two per core
# plus one keeps a core busy while another process waits on PostgreSQL.
workers = int(os.environ.get("WEB_WORKERS") or 2 * multiprocessing.cpu_count() + 1)
threads = int(os.environ.get("WEB_THREADS") or 1)

# A request that works longer than this is killed and its worker replaced. Long work (analyses, imports, PDF
# reports of a whole municipality) is done by the job worker, not in a request.
timeout = int(os.environ.get("WEB_TIMEOUT") or 60)
graceful_timeout = 30  # a restart lets requests under way finish first
keepalive = 5  # seconds an idle connection from the load balancer is kept open

# A worker is replaced after this many requests (with jitter, so they are not all replaced at once): memory that a
# library holds on to cannot grow without bound.
max_requests = int(os.environ.get("WEB_MAX_REQUESTS") or 5000)
max_requests_jitter = max_requests // 10

# The access log goes to stdout for the service manager's journal. It holds client addresses, which are personal
# data under the AVG: keep the journal for at most a few weeks. Paths carry no personal data (no names, no codes).
accesslog = os.environ.get("ACCESS_LOG") or "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL") or "info"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'

# Behind a proxy: the addresses whose X-Forwarded-Proto gunicorn believes (https from the load balancer). The app
# itself reads X-Forwarded-For/-Proto/-Host only when PROXY_HOPS says how many proxies stand in front of it.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS") or "127.0.0.1"

# Each worker opens its own database connections after the fork: a pool shared over a fork breaks connections.
preload_app = False


def post_worker_init(worker) -> None:
    """Once the worker has built the app: its long-lived objects (instrument definitions, SQLAlchemy's metadata,
    compiled templates and statements: about 240,000 objects) move out of the garbage collector's generations. Every
    full collection walked all of them, some 8% of a resident page submit's CPU; they are never freed anyway. The
    garbage of the start-up is collected first, so nothing unreachable is kept."""
    gc.collect()
    gc.freeze()
