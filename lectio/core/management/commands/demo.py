"""`lectio demo`: set up SQLite, load the demo institution, serve it, print the logins."""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from lectio.core.management.commands.serve import gunicorn_argv

LOGINS = ["admin", "librarian", "instructor", "student"]


class Command(BaseCommand):
    help = "Migrate, load the demo institution and serve it on http://127.0.0.1:8000."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument(
            "--no-serve", action="store_true", help="Set up and load, then exit."
        )

    def handle(self, *args, host, port, workers, no_serve, **options):
        db = settings.DATABASES["default"]
        self.stdout.write(f"Database: {db['ENGINE'].rsplit('.', 1)[-1]} {db['NAME']}")
        call_command("migrate", interactive=False, verbosity=0)
        from lectio.core.demo import load_demo

        if not load_demo(stdout=self.stdout):
            # Loaded before: load_demo printed nothing about the logins.
            self.stdout.write("Demo logins (password for each: lectio):")
            for name in LOGINS:
                self.stdout.write(f"  {name}")
        if no_serve:
            return
        self.stdout.write(f"\nOpen http://{host}:{port}/ — press Ctrl+C to stop.")
        sys.stdout.flush()
        server = subprocess.Popen(
            gunicorn_argv(host, port, workers), env=os.environ.copy()
        )
        # The embedded demo runs the background worker in this process.
        worker = subprocess.Popen(
            [sys.executable, "-m", "lectio.cli", "worker"], env=os.environ.copy()
        )

        def stop(signum, frame):
            raise KeyboardInterrupt

        # A process manager's SIGTERM stops the server and the worker too.
        signal.signal(signal.SIGTERM, stop)
        try:
            while server.poll() is None:
                if worker.poll() is not None:
                    worker = subprocess.Popen(
                        [sys.executable, "-m", "lectio.cli", "worker"],
                        env=os.environ.copy(),
                    )
                time.sleep(1)
        except KeyboardInterrupt:
            pass
        finally:
            for proc in (server, worker):
                if proc.poll() is None:
                    proc.send_signal(signal.SIGTERM)
            for proc in (server, worker):
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
