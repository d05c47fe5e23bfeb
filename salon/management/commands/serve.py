"""``salon serve``: Salon on gunicorn, a production WSGI server."""

from __future__ import annotations

import gc
import os
import signal
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from gunicorn.app.base import BaseApplication

from salon.management.commands.background import site_jobs
from salon.static_files import collect


class SalonServer(BaseApplication):
    """Runs Salon's WSGI application in gunicorn with options given in code."""

    def __init__(self, options: dict, background: list[str] | None = None) -> None:
        self.options = options
        # `salon background`'s options, when it runs: forked from the loaded master.
        self.background = background
        self.background_pid: int | None = None
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        """Load the site once, in gunicorn's master before it forks the workers
        (``preload_app``): the workers share the loaded code and the spam model's arrays
        instead of each loading its own copy."""
        from django.db import connections

        from salon.wsgi import application

        if settings.SALON.get("SPAM_FILTER", "").startswith("salon.antispam.filtering."):
            from salon.antispam.engine import default_engine

            default_engine()
        # URL resolving (which imports every view), templates and translations fill caches
        # on first use; fill them now, once, for every worker.
        from django.template import engines
        from django.template.loader import get_template
        from django.urls import get_resolver
        from django.utils import translation

        get_resolver().url_patterns  # noqa: B018
        with translation.override(settings.LANGUAGE_CODE):
            for name in ("publishing/post_detail.html", "publishing/post_list.html"):
                get_template(name)
            engines["jinja2"].env.get_template("discussion/comment_list.html")
        connections.close_all()  # no connection may be shared by the forked workers
        # What is loaded now is never freed: keep the collector from writing to its pages,
        # so the workers go on sharing them with the master.
        gc.collect()
        gc.freeze()
        if self.background is not None:
            self.background_pid = _fork_background(self.background)
        return application


def _fork_background(flags: list[str]) -> int:
    """Run `salon background` in a child forked from the loaded master (before gunicorn
    binds its socket or sets its signal handlers): it shares the master's pages rather
    than loading Django and the apps again in a process of its own."""
    pid = os.fork()
    if pid:
        return pid
    status = 0
    try:
        from django.core.management import call_command

        with open(os.devnull, "w") as quiet:
            call_command("background", *flags, stdout=quiet)
    except KeyboardInterrupt:
        pass
    except BaseException:  # noqa: BLE001 (logged; the child must never return into gunicorn)
        import logging

        logging.getLogger(__name__).exception("salon background stopped")
        status = 1
    finally:
        os._exit(status)


def _stop(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            done, _status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:  # reaped already (gunicorn reaps its children)
            return
        if done:
            return
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)


class Command(BaseCommand):
    help = "Serve Salon with gunicorn (a production server), and run retention every hour."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on.")
        parser.add_argument("--port", type=int, default=8000, help="Port to listen on.")
        parser.add_argument(
            "--workers",
            type=int,
            default=settings.SALON["WORKERS"],
            help="Worker processes (SALON_WORKERS; default: CPU cores, at least 2).",
        )
        parser.add_argument("--threads", type=int, default=4, help="Threads per worker.")
        parser.add_argument(
            "--no-retention",
            action="store_true",
            help="Do not run the hourly retention job beside the server.",
        )
        parser.add_argument(
            "--no-mail",
            action="store_true",
            help="Do not run the mail sender beside the server (run `salon send_mail` yourself).",
        )
        parser.add_argument(
            "--no-mentions",
            action="store_true",
            help="Do not send Webmentions and pingbacks for published posts beside the server.",
        )
        parser.add_argument(
            "--no-fediverse",
            action="store_true",
            help="Do not deliver posts to fediverse followers beside the server.",
        )

    def handle(self, *args, host: str, port: int, workers: int, threads: int, **options):
        if not 0 < port < 65536:
            raise CommandError(f"Port {port} is not a valid TCP port (1–65535).")
        # Static files under hashed names before the workers load (WhiteNoise lists them then);
        # nothing is copied when no file changed since the last start.
        collect()
        url = f"http://{'[' + host + ']' if ':' in host else host}:{port}/"
        self.stdout.write(self.style.SUCCESS(f"Salon is running at {url}"))
        password_file = Path(settings.DATA_DIR) / "admin-password.txt"
        if password_file.exists():
            self.stdout.write(
                f"Administration: {url}admin/ — user “admin”, password in {password_file} "
                "(change it with `salon changepassword admin`)."
            )
        else:
            self.stdout.write(
                f"Administration: {url}admin/ (create an account with `salon createsuperuser`)."
            )
        self.stdout.write("Press Ctrl+C to stop.")
        sys.stdout.flush()

        # Retention, the mail outbox, outgoing mentions and fediverse deliveries run in one
        # process beside the server, so a save in the admin never waits on mail or other sites.
        jobs = ("retention", "mail", "mentions", "fediverse")
        skipped = {job: options[f"no_{job}"] for job in jobs}
        background = None
        if site_jobs(**{job: not off for job, off in skipped.items()}):
            background = [f"--no-{job}" for job, off in skipped.items() if off]
        server = SalonServer(
            {
                "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
                "workers": workers,
                "threads": threads,
                # gunicorn's threaded worker, answering a busy API connection on one thread.
                "worker_class": "salon.serving.Worker" if threads > 1 else "sync",
                "accesslog": "-" if settings.DEBUG else None,
                "errorlog": "-",
                "loglevel": "warning",
                "timeout": 60,
                "graceful_timeout": 10,
                "preload_app": True,
                "max_requests": 10000,
                "max_requests_jitter": 1000,
            },
            background,
        )
        master = os.getpid()
        try:
            server.run()
        finally:
            # Workers leave gunicorn by SystemExit through here too: only the master stops
            # the background jobs.
            if server.background_pid is not None and os.getpid() == master:
                _stop(server.background_pid)
