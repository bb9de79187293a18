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

# The app is loaded once, in gunicorn's master process, and every worker is a fork of it. A worker then starts in a
# fraction of a second instead of importing and building the app itself (3.5-4 s of CPU each on the 2-core test
# machine), which max_requests above would otherwise cost again every 5,000 requests (0.7 ms of CPU per request).
# The workers also share the memory of what the app built and has not changed since (four workers and the master
# after a few residents: 360 MB in all instead of 670, proportional set sizes). A worker empties the database pools
# it inherits (extensions.new_pools_after_fork) and opens its own connections. New code takes a restart of
# gunicorn: a HUP starts new workers from the app already loaded.
preload_app = True


def when_ready(server) -> None:
    """In the master, once the app is loaded and before any worker is forked: its long-lived objects (instrument
    definitions, SQLAlchemy's metadata, the modules: about 215,000 objects) move out of the garbage collector's
    generations. Every full collection walked all of them, some 8% of a resident page submit's CPU, and they are
    never freed anyway. Frozen before the fork, they are not written to by a worker's collections either, so the
    workers keep sharing their pages. The garbage of the start-up is collected first, so nothing unreachable is
    kept."""
    gc.collect()
    gc.freeze()
