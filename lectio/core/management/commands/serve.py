"""`lectio serve`: the production WSGI server (gunicorn, sync workers).

Chosen by measurement (see docs/benchmarks.md): sync workers, one per core, beat
thread pools on this workload because rendering is CPU-bound under the GIL.
"""

import os
import shutil
import sys

from django.core.management.base import BaseCommand


def gunicorn_argv(host: str, port: int, workers: int) -> list[str]:
    executable = shutil.which("gunicorn") or os.path.join(
        os.path.dirname(sys.executable), "gunicorn"
    )
    return [
        executable,
        "lectio.wsgi:application",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--timeout",
        "60",
        "--access-logfile",
        "-" if os.environ.get("LECTIO_ACCESS_LOG") else "/dev/null",
    ]


class Command(BaseCommand):
    help = "Serve Lectio with the production server (gunicorn)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--host", default=os.environ.get("LECTIO_HOST", "127.0.0.1")
        )
        parser.add_argument(
            "--port", type=int, default=int(os.environ.get("LECTIO_PORT", "8000"))
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("LECTIO_WORKERS", str(os.cpu_count() or 2))),
        )

    def handle(self, *args, host, port, workers, **options):
        argv = gunicorn_argv(host, port, workers)
        self.stdout.write(
            f"Serving Lectio on http://{host}:{port}/ ({workers} workers)"
        )
        sys.stdout.flush()
        os.execv(argv[0], argv)
