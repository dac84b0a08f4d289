"""The course loader over a generated file of 50,000 courses.

`course_loader`: the loader (read, check, compare with the database, write courses,
their term, instructor and campus links) against a bare `executemany` of the same
50,000 course rows, prepared as tuples beforehand, into a scratch table with a unique
index on (code, section), in the same database. Both sides run inside a transaction
that is rolled back afterwards (the rollback is timed on both sides), so every round
loads into the same database. Goal: at least 25% of the bare rate, a ratio of at
most 4.

`course_loader_rerun`: the same file loaded a second time (set up once, committed):
0 changes, nothing written; against the first load of a file of the same shape.
Goal: no slower (ratio at most 1).

Setup makes what the file names (departments, a term, campuses, 3,000 instructors,
all coded BENCH-...) and removes it all, and the courses, afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction

from benchmarks import coursefile
from benchmarks.harness import Benchmark
from lectio.core.loading import LoadOptions, LoadResult

ROWS = 50_000
SCRATCH = "bench_course_scratch"
FILE_NAME = "bench-course-loader.tsv"


@dataclass
class Context:
    first: bytes  # loaded into an empty course table, rolled back each round
    rerun: bytes  # loaded once in setup; loading it again changes nothing
    tuples: list[tuple[Any, ...]]
    last: LoadResult | None = None


def _load(data: bytes) -> LoadResult:
    from lectio.courses.loader import load

    return load(data, LoadOptions(file_name=FILE_NAME))


def _ensure_reference_data() -> None:
    from lectio.accounts.models import Role, User
    from lectio.courses.models import Campus, Department, Term

    for code in coursefile.DEPARTMENTS + coursefile.LIBRARIES:
        Department.objects.get_or_create(code=code, defaults={"name": code})
    Term.objects.get_or_create(code=coursefile.TERM, defaults={"name": "Bench term"})
    for code in coursefile.CAMPUSES:
        Campus.objects.get_or_create(code=code, defaults={"name": code})
    wanted = [coursefile.instructor_id(n) for n in range(coursefile.INSTRUCTORS)]
    have = set(
        User.objects.filter(primary_id__in=wanted).values_list("primary_id", flat=True)
    )
    password = make_password(None)
    User.objects.bulk_create(
        [
            User(username=pid, primary_id=pid, role=Role.INSTRUCTOR, password=password)
            for pid in wanted
            if pid not in have
        ],
        batch_size=1000,
    )


def _purge() -> None:
    """Removes every course of the benchmark's files, with its links."""
    from lectio.courses.models import Course, CourseCampus, Enrolment

    qn = connection.ops.quote_name
    course = qn(Course._meta.db_table)
    mine = f"SELECT id FROM {course} WHERE code LIKE 'BN%%' OR code LIKE 'BR%%'"
    with transaction.atomic(), connection.cursor() as cursor:
        for model in (Course.terms.through, CourseCampus, Enrolment):
            cursor.execute(
                f"DELETE FROM {qn(model._meta.db_table)} WHERE course_id IN ({mine})"
            )
        cursor.execute(
            f"DELETE FROM {course} WHERE code LIKE 'BN%%' OR code LIKE 'BR%%'"
        )


def _scratch_rows(data: bytes) -> list[tuple[Any, ...]]:
    """The file's courses as the tuples a bare insert takes (dates and times as the
    driver takes them, department codes as ids)."""
    from django.utils import timezone

    from lectio.courses.loader import COLUMNS
    from lectio.courses.models import Department

    departments = dict(Department.objects.values_list("code", "id"))
    col = {name: i for i, name in enumerate(COLUMNS)}
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    rows = []
    for line in data.decode().split("\r\n")[1:]:
        if not line:
            continue
        c = line.split("\t")
        rows.append(
            (
                c[col["COURSE_CODE"]],
                c[col["SECTION_ID"]],
                c[col["COURSE_TITLE"]],
                departments[c[col["ACAD_DEPT"]]],
                departments[c[col["PROC_DEPT"]]],
                int(c[col["YEAR"]]),
                c[col["START_DATE"]],
                c[col["END_DATE"]],
                int(c[col["NUM_OF_PARTICIPANTS"]]),
                int(c[col["WEEKLY_HOURS"]]),
                f'["{c[col["SEARCH_ID1"]]}"]',
                "",
                c[col["SUBMIT_LISTS_BY"]],
                now,
                now,
            )
        )
    return rows


SCRATCH_COLUMNS = (
    "code",
    "section",
    "name",
    "academic_department_id",
    "processing_department_id",
    "year",
    "start_date",
    "end_date",
    "participants",
    "weekly_hours",
    "searchable_ids",
    "reading_list_name",
    "submit_lists_by",
    "created_at",
    "updated_at",
)


def _create_scratch() -> None:
    postgres = connection.vendor == "postgresql"
    pk = "bigserial PRIMARY KEY" if postgres else "integer PRIMARY KEY AUTOINCREMENT"
    stamp = "timestamp with time zone" if postgres else "datetime"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {SCRATCH}")
        cursor.execute(
            f"CREATE TABLE {SCRATCH} (id {pk}, code varchar(100) NOT NULL, "
            "section varchar(100) NOT NULL, name varchar(300) NOT NULL, "
            "academic_department_id bigint, processing_department_id bigint, "
            "year integer, start_date date, end_date date, "
            "participants integer NOT NULL, weekly_hours integer NOT NULL, "
            "searchable_ids text NOT NULL, reading_list_name varchar(300) NOT NULL, "
            f"submit_lists_by date, created_at {stamp} NOT NULL, "
            f"updated_at {stamp} NOT NULL)"
        )
        cursor.execute(
            f"CREATE UNIQUE INDEX {SCRATCH}_key ON {SCRATCH} (code, section)"
        )


def _setup() -> Context:
    _ensure_reference_data()
    _purge()
    _create_scratch()
    first = coursefile.course_file(ROWS, prefix="BN")
    rerun = coursefile.course_file(ROWS, prefix="BR")
    result = _load(rerun)
    if result.rejects or result.counts["created"] != ROWS:
        raise RuntimeError(f"setup load failed: {result.summary()}")
    return Context(first=first, rerun=rerun, tuples=_scratch_rows(first))


def _teardown(context: Context) -> None:
    from lectio.accounts.models import User
    from lectio.core.models import Event
    from lectio.courses.models import Campus, Department, Term

    _purge()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {SCRATCH}")
    User.objects.filter(primary_id__startswith="BENCH-I").delete()
    Department.objects.filter(code__startswith="BENCH-").delete()
    Term.objects.filter(code=coursefile.TERM).delete()
    Campus.objects.filter(code__startswith="BENCH-").delete()
    Event.objects.filter(verb="courses_loaded", params__file=FILE_NAME).delete()


def _first_load(context: Context) -> None:
    with transaction.atomic():
        context.last = _load(context.first)
        transaction.set_rollback(True)
    if context.last.counts["created"] != ROWS:
        raise RuntimeError(f"first load: {context.last.summary()}")


def _rerun(context: Context) -> None:
    context.last = _load(context.rerun)
    if context.last.counts["unchanged"] != ROWS:
        raise RuntimeError(f"second load changed something: {context.last.summary()}")


def _bare_insert(context: Context) -> None:
    cols = ", ".join(SCRATCH_COLUMNS)
    marks = ", ".join(["%s"] * len(SCRATCH_COLUMNS))
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {SCRATCH} ({cols}) VALUES ({marks})", context.tuples
            )
        transaction.set_rollback(True)


def _details(context: Context) -> dict[str, Any]:
    return {
        "rows": ROWS,
        "vendor": connection.vendor,
        "last_counts": context.last.counts_dict() if context.last else {},
    }


BENCHMARKS = [
    Benchmark(
        name="course_loader",
        description=f"load {ROWS:,} new courses vs bare executemany of the same rows",
        setup=_setup,
        measured=_first_load,
        baseline=_bare_insert,
        baseline_label=f"executemany of {ROWS:,} rows into an indexed scratch table",
        max_ratio=4.0,
        details=_details,
        teardown=_teardown,
        slow=True,
    ),
    Benchmark(
        name="course_loader_rerun",
        description=f"load the same {ROWS:,}-course file again (0 changes) vs a first load",
        setup=_setup,
        measured=_rerun,
        baseline=_first_load,
        baseline_label=f"first load of {ROWS:,} courses (rolled back)",
        max_ratio=1.0,
        details=_details,
        teardown=_teardown,
        slow=True,
    ),
]
