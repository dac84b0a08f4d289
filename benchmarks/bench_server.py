"""The production servers under load, over HTTP on the loopback interface.

Starts gunicorn (sync workers) and, if installed, granian (WSGI) on a free port of
127.0.0.1, drives each with `wrk` (or, without wrk, a small threaded Python client)
against /healthz and the student view of BENCH-300, reports requests per second and
their ratio, and stops every server it started.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from django.conf import settings

from benchmarks.data import (
    bench_list,
    bench_student,
    check_get,
    client_for,
    healthz_path,
    student_view_path,
)
from benchmarks.harness import Benchmark, Figures, Options, Result

HOST = "127.0.0.1"
WORKERS = 2
READY_TIMEOUT = 30.0
MAX_RATIO = 10.0
DESCRIPTION = (
    "{server} ({workers} workers): student view of BENCH-300 vs GET /healthz, over HTTP"
)


def _executable(name: str) -> str | None:
    """The tool in this interpreter's environment first, then on PATH."""
    local = Path(sys.executable).parent / name
    if local.exists():
        return str(local)
    return shutil.which(name)


def _server_argv(server: str, port: int) -> list[str] | None:
    if server == "gunicorn":
        exe = _executable("gunicorn")
        if exe is None:
            return None
        return [
            exe,
            "lectio.wsgi:application",
            "--workers",
            str(WORKERS),
            "--worker-class",
            "sync",
            "--bind",
            f"{HOST}:{port}",
            "--log-level",
            "warning",
        ]
    if server == "granian":
        exe = _executable("granian")
        if exe is None:
            return None
        return [
            exe,
            "--interface",
            "wsgi",
            "--workers",
            str(WORKERS),
            "--blocking-threads",
            "1",
            "--host",
            HOST,
            "--port",
            str(port),
            "--log-level",
            "warning",
            "lectio.wsgi:application",
        ]
    raise ValueError(f"unknown server {server}")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class Server:
    """One server process group, always stopped on exit from the `with` block."""

    def __init__(self, name: str, argv: list[str], port: int, log_dir: Path) -> None:
        self.name, self.argv, self.port = name, argv, port
        self.log_path = log_dir / f"{name}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        env = os.environ.copy()
        env["DJANGO_SETTINGS_MODULE"] = settings.SETTINGS_MODULE
        with self.log_path.open("wb") as log:
            self.proc = subprocess.Popen(
                self.argv,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # its own process group: workers stop with it
            )
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        proc = self.proc
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)

    def log_tail(self, lines: int = 15) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def wait_ready(self, path: str) -> None:
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited at start:\n{self.log_tail()}")
            try:
                if http_get(self.port, path)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} not ready after {READY_TIMEOUT:.0f} s")


def http_get(port: int, path: str, cookie: str = "") -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


# --- load generation --------------------------------------------------------------------

_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if not match:
        raise ValueError(f"unexpected wrk latency {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def parse_wrk(output: str) -> dict[str, Any]:
    """Requests/sec, latency percentiles and errors from `wrk --latency` output."""
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if not rps:
        raise ValueError(f"no Requests/sec in wrk output:\n{output}")
    figures: dict[str, Any] = {"rps": float(rps.group(1))}
    for pct, value in re.findall(r"^\s+(50|75|90|99)%\s+(\S+)$", output, re.MULTILINE):
        figures[f"p{pct}_ms"] = _ms(value)
    total = re.search(r"(\d+) requests in ([\d.]+)(\w+)", output)
    if total:
        figures["requests"] = int(total.group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    figures["non_2xx"] = int(non2xx.group(1)) if non2xx else 0
    errors = re.search(r"Socket errors:(.*)", output)
    figures["socket_errors"] = errors.group(1).strip() if errors else ""
    return figures


def load_wrk(
    port: int, path: str, cookie: str, seconds: float, connections: int
) -> dict:
    argv = [
        "wrk",
        f"-t{min(2, connections)}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--latency",
    ]
    if cookie:
        argv += ["-H", f"Cookie: {cookie}"]
    argv.append(f"http://{HOST}:{port}{path}")
    done = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 60)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed: {done.stderr.strip()}")
    return parse_wrk(done.stdout)


def load_python(
    port: int, path: str, cookie: str, seconds: float, connections: int
) -> dict:
    """Threads on keep-alive connections for `seconds`: a rough stand-in for wrk."""
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    headers = {"Cookie": cookie} if cookie else {}

    def worker() -> None:
        conn: http.client.HTTPConnection | None = None
        mine: list[float] = []
        bad = 0
        while time.monotonic() < deadline:
            if conn is None:
                conn = http.client.HTTPConnection(HOST, port, timeout=10)
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    bad += 1
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = None
            except (OSError, http.client.HTTPException):
                bad += 1
                if conn is not None:
                    conn.close()
                conn = None
                continue
            mine.append(time.perf_counter() - started)
        if conn is not None:
            conn.close()
        with lock:
            latencies.extend(mine)
            failures[0] += bad

    started = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    if not latencies:
        raise RuntimeError("no request succeeded")
    stats = Figures.from_seconds(latencies)
    return {
        "rps": len(latencies) / elapsed,
        "p50_ms": stats.median_ms,
        "p90_ms": stats.p90_ms,
        "requests": len(latencies),
        "non_2xx": failures[0],
        "socket_errors": "",
    }


def _figures(load: dict[str, Any]) -> Figures:
    return Figures(
        n=int(load.get("requests", 0)),
        median_ms=float(load.get("p50_ms", 0.0)),
        p10_ms=None,
        p90_ms=load.get("p90_ms"),
        mean_ms=None,
        rps=float(load["rps"]),
    )


# --- the benchmark ---------------------------------------------------------------------


def run(options: Options) -> list[Result]:
    reading_list = bench_list("BENCH-300")
    student = bench_student()
    student_path = student_view_path(reading_list)
    health_path = healthz_path()
    client = client_for(student)
    try:
        check_get(client, student_path)
        cookie_name = settings.SESSION_COOKIE_NAME
        cookie = f"{cookie_name}={client.cookies[cookie_name].value}"
        use_wrk = shutil.which("wrk") is not None
        load = load_wrk if use_wrk else load_python
        results = []
        for server in options.servers:
            results.append(
                _one_server(
                    server, options, load, health_path, student_path, cookie, use_wrk
                )
            )
        return results
    finally:
        client.logout()


def _one_server(
    server: str,
    options: Options,
    load: Any,
    health_path: str,
    student_path: str,
    cookie: str,
    use_wrk: bool,
) -> Result:
    name = f"server:{server}"
    description = DESCRIPTION.format(server=server, workers=WORKERS)
    port = _free_port()
    argv = _server_argv(server, port)
    if argv is None:
        return Result(name, description, "skipped", reason=f"{server} is not installed")
    with (
        tempfile.TemporaryDirectory(prefix="lectio-bench-") as log_dir,
        Server(server, argv, port, Path(log_dir)) as proc,
    ):
        try:
            proc.wait_ready(health_path)
            status, _body = http_get(port, student_path, cookie)
            if status != 200:
                raise RuntimeError(
                    f"GET {student_path} through {server} answered {status}"
                )
            options.log(f"  {name}: loading /healthz and the student view ...")
            # Warm every worker (imports, templates, the list body cache) first.
            warm = max(1.0, options.duration / 5)
            load(port, health_path, cookie, warm, options.connections)
            load(port, student_path, cookie, warm, options.connections)
            base = load(
                port, health_path, cookie, options.duration, options.connections
            )
            meas = load(
                port, student_path, cookie, options.duration, options.connections
            )
        except (RuntimeError, OSError, ValueError, subprocess.TimeoutExpired) as error:
            return Result(name, description, "error", reason=str(error))
        failed = base["non_2xx"] + meas["non_2xx"]
        if failed:
            return Result(
                name,
                description,
                "error",
                reason=f"{failed} responses were not 2xx/3xx; server log: {proc.log_tail(3)}",
            )
    return Result(
        name,
        description,
        "ok",
        measured=_figures(meas),
        baseline=_figures(base),
        baseline_label="GET /healthz",
        ratio=base["rps"] / meas["rps"] if meas["rps"] else None,
        max_ratio=MAX_RATIO,
        extra={
            "load_generator": "wrk" if use_wrk else "python threads",
            "connections": options.connections,
            "seconds": options.duration,
            "workers": WORKERS,
            "socket_errors": {
                "baseline": base["socket_errors"],
                "measured": meas["socket_errors"],
            },
        },
    )


BENCHMARKS = [
    Benchmark(
        name="server",
        description="gunicorn and granian under wrk: student view of BENCH-300 vs /healthz",
        run=run,
        slow=True,
    )
]
