"""`flask --app app worker`: the consumer of this app's job queue (`make run` starts it next to the web server)."""

from __future__ import annotations

import logging
import threading
import time

import click
from flask import current_app
from flask.cli import with_appcontext
from huey.consumer import Consumer

from extensions import db
from jobs.queue import queue
from jobs.tasks import beat, recover_interrupted

logger = logging.getLogger("leefwereld.jobs")


@click.command("worker")
@click.option(
    "--workers",
    type=click.IntRange(1, 8),
    default=None,
    help="Jobs done at the same time (threads); default JOB_WORKERS, 1.",
)
@with_appcontext
def worker_command(workers: int | None) -> None:
    """Do the queued jobs (analysis runs, imports, report PDFs, codings) until stopped (Ctrl-C waits for the jobs at
    work, SIGTERM does not: a job stopped half-way stored nothing and is tried again, by this worker when it starts
    again or by any other worker of the queue once its heartbeat is JOB_LEASE seconds old)."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    for name in ("huey", "leefwereld.jobs"):
        logging.getLogger(name).addHandler(handler)
        logging.getLogger(name).setLevel(logging.INFO)
    for line in recover_interrupted():
        click.echo(line)
    db.session.remove()
    # flask types current_app as the app it stands for; _get_current_object() is the proxy's own method
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    threading.Thread(target=keep_watch, args=(app,), name="heartbeat", daemon=True).start()
    if current_app.config["JOB_PRELOAD_LANGUAGES"]:
        from analysis.themes import load_language_resources  # not at import: the web app needs no scikit-learn

        def preload() -> None:
            started = time.process_time()
            load_language_resources()
            logger.info("language resources read (%.1f s)", time.process_time() - started)

        # what every analysis reads of the six languages, read while the worker waits for its first job
        threading.Thread(target=preload, name="languages", daemon=True).start()
    # one thread per job: a job's own connection, its own app context; a short poll keeps pages quick on SQLite
    consumer = Consumer(
        queue().huey,
        workers=workers or int(current_app.config["JOB_WORKERS"]),
        worker_type="thread",
        periodic=False,
        initial_delay=0.1,
        backoff=1.15,
        max_delay=1.0,
    )
    consumer.run()


def keep_watch(app) -> None:
    """Four times per lease: renew the heartbeat of this worker's jobs, and take up jobs that lost their worker."""
    interval = float(app.config["JOB_LEASE"]) / 4
    while True:
        with app.app_context():
            try:
                beat()
                for line in recover_interrupted():
                    logger.info(line)
            except Exception:  # the database away for a moment: the next round tries again
                logger.exception("heartbeat round failed")
            finally:
                db.session.remove()
        time.sleep(interval)
