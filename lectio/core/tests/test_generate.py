"""Generated scale data (`lectio generate-data`) and the benchmark harness (`lectio
bench`) that runs on it."""

from __future__ import annotations

import io
import json
import random

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from lectio.accounts.models import InstitutionSettings, User
from lectio.core.generate import (
    BENCH_STUDENT,
    Plan,
    _isbn13,
    generate,
    render_apa_like,
)
from lectio.courses.models import Course, CourseRole, Enrolment
from lectio.lists import services
from lectio.lists.models import Citation, MaterialType, ReadingList, Section
from lectio.lists.statuses import CitationStatus, PublicationStatus, Visibility

TINY = 0.0002  # 10 courses, 5 lists, 200 citations (plus the two benchmark lists)


def _generate(scale: float = TINY) -> str:
    out = io.StringIO()
    generate(scale=scale, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_generate_fills_every_table_at_the_planned_size() -> None:
    plan = Plan.for_scale(TINY)

    output = _generate()

    assert Course.objects.count() == plan.courses + 2  # and the two benchmark courses
    assert ReadingList.objects.count() == plan.lists + 2
    bench_ids = ReadingList.objects.filter(code__startswith="BENCH-").values("pk")
    assert (
        Citation.objects.exclude(reading_list__in=bench_ids).count() == plan.citations
    )
    assert User.objects.count() == plan.users + 2  # bench-student, bench-instructor
    assert Enrolment.objects.filter(role=CourseRole.INSTRUCTOR).exists()
    assert Enrolment.objects.filter(role=CourseRole.STUDENT).exists()
    assert (
        Section.objects.filter(is_default=True).count() == ReadingList.objects.count()
    )
    assert "lists_citation" in output and "rows/s" in output
    # Every list has an owner; every citation is formatted in the institution's style.
    assert not ReadingList.objects.filter(collaborators__isnull=True).exists()
    style = InstitutionSettings.current().citation_style
    assert not Citation.objects.exclude(rendered_style=style).exists()
    assert not Citation.objects.filter(rendered_html="").exists()
    assert Citation.objects.filter(tags__isnull=False).exists()


@pytest.mark.django_db
def test_generate_makes_the_benchmark_lists_for_bench_student() -> None:
    _generate()

    student = User.objects.get(username=BENCH_STUDENT)
    assert student.check_password("lectio")
    for code, size in (("BENCH-300", 300), ("BENCH-2000", 2000)):
        reading_list = ReadingList.objects.get(code=code)
        assert reading_list.publication_status == PublicationStatus.PUBLISHED
        assert reading_list.visibility == Visibility.COURSE
        citations = reading_list.citations.all()
        assert citations.count() == size
        assert citations.filter(status=CitationStatus.COMPLETE).count() == size
        assert Enrolment.objects.filter(
            user=student, role=CourseRole.STUDENT, course__reading_lists=reading_list
        ).exists()
        positions = list(
            citations.order_by("section__position", "position").values_list(
                "section__position", "position"
            )
        )
        assert len(set(positions)) == size


@pytest.mark.django_db
def test_second_run_adds_new_rows_beside_the_first() -> None:
    _generate()
    lists, citations = ReadingList.objects.count(), Citation.objects.count()

    _generate()

    plan = Plan.for_scale(TINY)
    assert ReadingList.objects.count() == lists + plan.lists
    assert Citation.objects.count() == citations + plan.citations
    assert ReadingList.objects.filter(code="BENCH-300").count() == 1
    assert User.objects.filter(username__startswith="g2-").count() == plan.users


@pytest.mark.django_db
def test_rows_created_after_generation_get_fresh_ids() -> None:
    _generate()
    instructor = User.objects.get(username="bench-instructor")

    reading_list = services.reading_list_create(actor=instructor, name="After the load")
    citation = services.citation_add(
        actor=instructor,
        reading_list=reading_list,
        material_type=MaterialType.BOOK,
        metadata={"title": "A new book", "type": "book"},
    )

    assert (
        reading_list.pk
        > ReadingList.objects.exclude(pk=reading_list.pk).latest("pk").pk
    )
    assert citation.pk > Citation.objects.exclude(pk=citation.pk).latest("pk").pk


@pytest.mark.django_db
def test_generate_data_command_needs_a_size() -> None:
    with pytest.raises(CommandError):
        call_command("generate_data", stdout=io.StringIO())
    assert ReadingList.objects.count() == 0


@pytest.mark.django_db
def test_generate_data_command_takes_a_hidden_scale() -> None:
    call_command("generate_data", "--scale", str(TINY), stdout=io.StringIO())

    assert ReadingList.objects.filter(code="BENCH-2000").exists()


def test_formatted_entry_escapes_html() -> None:
    csl = {
        "title": "<script>alert(1)</script> & more",
        "author": [{"family": "O'Brien", "given": "Niamh"}],
        "issued": {"date-parts": [[2020]]},
        "publisher": "Routledge",
    }

    html = render_apa_like(MaterialType.BOOK, csl)

    assert html == (
        "O&#x27;Brien, N. (2020). <i>&lt;script&gt;alert(1)&lt;/script&gt; &amp; more</i>."
        " Routledge."
    )


def test_generated_isbns_have_valid_check_digits() -> None:
    rng = random.Random(1)
    for _ in range(100):
        isbn = _isbn13(rng)
        digits = [int(d) for d in isbn]
        assert len(digits) == 13
        assert sum(d * (1 if i % 2 == 0 else 3) for i, d in enumerate(digits)) % 10 == 0


# --- lectio bench ---------------------------------------------------------------------


def _bench_json(*args: str) -> dict:
    out = io.StringIO()
    call_command("bench", "--json", *args, stdout=out, stderr=io.StringIO())
    return json.loads(out.getvalue())


def test_bench_lists_its_benchmarks() -> None:
    out = io.StringIO()

    call_command("bench", "--list", stdout=out)

    names = [line.split()[0] for line in out.getvalue().splitlines()]
    assert names == [
        "alma_courses",
        "catalog_search",
        "citation_export_docx",
        "citation_export_pdf",
        "citation_import_5000",
        "course_loader",
        "course_loader_rerun",
        "link_check",
        "lti_launch",
        "marc_load",
        "openurl",
        "reports",
        "rollover",
        "server",
        "student_list_300",
        "student_list_2000",
        "suggestions_refresh",
        "suggestions_citation",
        "suggestions_pending",
        "suggestions_similar",
        "task_list",
        "usage_record",
    ]


@pytest.mark.django_db
def test_bench_refuses_an_unknown_name() -> None:
    with pytest.raises(CommandError, match="student_list_300"):
        call_command("bench", "no_such_benchmark", stdout=io.StringIO())


@pytest.mark.django_db
def test_bench_skips_when_the_generated_data_is_missing() -> None:
    report = _bench_json("student_list_*", "--repeat", "1")

    statuses = {r["name"]: (r["status"], r["reason"]) for r in report["results"]}
    assert set(statuses) == {"student_list_300", "student_list_2000"}
    for status, reason in statuses.values():
        assert status == "skipped"
        assert "generate-data" in reason


@pytest.mark.django_db
def test_bench_times_the_student_view_against_healthz() -> None:
    _generate()

    report = _bench_json("student_list_300", "--repeat", "3", "--warmup", "1")

    (result,) = report["results"]
    assert result["status"] == "ok", result["reason"]
    assert result["measured"]["n"] == 3
    assert result["baseline_label"] == "GET /healthz"
    assert result["ratio"] == pytest.approx(
        result["measured"]["median_ms"] / result["baseline"]["median_ms"]
    )
    assert result["max_ratio"] == 10.0
    assert result["extra"]["queries"] > 0
    # The benchmark logged out: its session is gone.
    from django.contrib.sessions.models import Session

    assert Session.objects.count() == 0


def test_percentiles_interpolate_between_ranks() -> None:
    from benchmarks.harness import Figures

    figures = Figures.from_seconds([0.001 * n for n in range(1, 11)])

    assert figures.median_ms == pytest.approx(5.5)
    assert figures.p10_ms == pytest.approx(1.9)
    assert figures.p90_ms == pytest.approx(9.1)
    assert figures.rps == pytest.approx(1000 / 5.5)


def test_wrk_output_is_parsed() -> None:
    from benchmarks.bench_server import parse_wrk

    output = """Running 5s test @ http://127.0.0.1:40001/healthz
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    15.10ms    4.20ms  60.00ms   80.00%
    Req/Sec   490.00     50.00   600.00     70.00%
  Latency Distribution
     50%   15.10ms
     75%   17.00ms
     90%   21.30ms
     99%    1.02s
  4912 requests in 5.00s, 1.10MB read
  Non-2xx or 3xx responses: 3
Requests/sec:    982.50
Transfer/sec:    225.00KB
"""

    figures = parse_wrk(output)

    assert figures["rps"] == 982.5
    assert figures["p50_ms"] == pytest.approx(15.1)
    assert figures["p99_ms"] == pytest.approx(1020.0)
    assert figures["requests"] == 4912
    assert figures["non_2xx"] == 3
