"""The job queue: analysis runs, imports, report PDFs and large codings are tasks on huey, done by `flask worker`."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The app's queue and its tasks, and the `worker` command."""
    from jobs.cli import worker_command
    from jobs.queue import init_queue

    init_queue(app)
    app.cli.add_command(worker_command)
