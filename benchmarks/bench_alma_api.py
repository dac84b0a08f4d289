"""The Alma-compatible course search over a large university (generate-data --size l:
50,000 courses), answered in this process through Django's test client with an API
key made for the run (and deleted after it).

The product figure: GET /almaws/v1/courses?q=...&limit=100 under 50 ms median server
time for each shape of search, next to GET /healthz in the same process.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

from benchmarks.data import client_for, healthz_path
from benchmarks.harness import Benchmark, Figures, Options, Result, Skip

MAX_MS = 50.0
KEY_NAME = "bench-alma-api"


@dataclass
class Context:
    client: Client
    auth: str  # the Authorization header
    unlimited: override_settings  # the rate limit off while the run lasts


def _cases() -> list[tuple[str, str]]:
    """(label, q): the searches a script runs, from the data that is there."""
    from lectio.courses.models import Course

    course = Course.objects.select_related("academic_department").order_by("pk").first()
    assert course is not None
    dept = course.academic_department
    teacher = (
        course.enrolments.filter(role="instructor")
        .select_related("user")
        .order_by("pk")
        .first()
    )
    cases = [
        ("no q", ""),
        ("code~ (a department's prefix)", f"code~{course.code[:4]}"),
        ("code~ (one course)", f"code~{course.code}"),
        ("name~ (common word)", "name~introduction"),
        ("name~ (no match)", "name~zzyzx"),
        ("year~", f"year~{course.year or 2026}"),
        ("searchable_ids~", f"searchable_ids~{course.code}"),
    ]
    if dept is not None:
        cases.append(("academic_department~", f"academic_department~{dept.code}"))
    if teacher is not None:
        cases.append(
            ("instructors~ (last name)", f"instructors~{teacher.user.last_name}")
        )
        if teacher.user.primary_id:
            cases.append(
                ("instructors~ (primary id)", f"instructors~{teacher.user.primary_id}")
            )
    cases += [
        ("all~ (a code)", f"all~{course.code}"),
        ("name~ AND code~", f"name~introduction AND code~{course.code[:4]}"),
    ]
    return cases


def _setup() -> Context:
    from lectio.accounts.models import ApiKey, User
    from lectio.accounts.services import api_key_create
    from lectio.courses.models import Course

    if Course.objects.count() < 10_000:
        raise Skip("needs generated data: run `lectio generate-data --size l` first")
    librarian = User.objects.filter(role="librarian").order_by("pk").first()
    if librarian is None:
        raise Skip("no librarian in the database")
    ApiKey.objects.filter(name=KEY_NAME).delete()
    _key, secret = api_key_create(
        actor=None, name=KEY_NAME, scopes=["courses:read"], user=librarian
    )
    client = client_for(librarian)
    client.logout()  # the key alone, as a script calls
    # Timed back to back, the searches would run into the API's rate limit (25 a
    # second per key), which is not what is measured here.
    unlimited = override_settings(LECTIO_API_RATE=0)
    unlimited.enable()
    return Context(client, f"apikey {secret}", unlimited)


def _teardown(context: Context) -> None:
    from lectio.accounts.models import ApiKey

    context.unlimited.disable()
    ApiKey.objects.filter(name=KEY_NAME).delete()


def _time(context: Context, path: str, repeat: int, warmup: int) -> Figures:
    for _ in range(warmup):
        context.client.get(path, HTTP_AUTHORIZATION=context.auth)
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = context.client.get(path, HTTP_AUTHORIZATION=context.auth)
        samples.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise RuntimeError(f"GET {path} answered {response.status_code}")
    return Figures.from_seconds(samples)


def _run(options: Options) -> list[Result]:
    try:
        context = _setup()
    except Skip as skip:
        return [
            Result("alma_courses", "Alma course search", "skipped", reason=str(skip))
        ]
    try:
        repeat = max(5, options.repeat // 2)
        baseline = _time(context, healthz_path(), repeat, options.warmup)
        results = []
        for label, q in _cases():
            params = {"limit": "100", "format": "json"}
            if q:
                params["q"] = q
            path = f"/almaws/v1/courses?{urlencode(params)}"
            measured = _time(context, path, repeat, options.warmup)
            with CaptureQueriesContext(connection) as queries:
                response = context.client.get(path, HTTP_AUTHORIZATION=context.auth)
            body = response.json()
            results.append(
                Result(
                    f"alma_courses[{label}]",
                    f"GET /almaws/v1/courses?q={q}&limit=100",
                    "ok",
                    measured=measured,
                    baseline=baseline,
                    baseline_label="GET /healthz",
                    ratio=measured.median_ms / baseline.median_ms,
                    max_ms=MAX_MS,
                    extra={
                        "q": q,
                        "total_record_count": body["total_record_count"],
                        "returned": len(body["course"]),
                        "queries": len(queries.captured_queries),
                        "bytes": len(response.content),
                    },
                )
            )
        return results
    finally:
        _teardown(context)


BENCHMARKS = [
    Benchmark(
        name="alma_courses",
        description="Alma-compatible course search, 100 a page, several q shapes",
        run=_run,
        slow=True,
    )
]
