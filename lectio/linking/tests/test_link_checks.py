"""The link check job and readers' reports: what is checked, what is recorded, and
how broken links reach the library's task list."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse

from lectio.accounts.models import User
from lectio.core.factories import add_citation
from lectio.core.models import Event
from lectio.linking import services
from lectio.linking.checker import Outcome
from lectio.linking.models import (
    BrokenLinkReport,
    CheckedLink,
    LinkCheckResult,
    LinkStatus,
)
from lectio.linking.tasks import run_link_check
from lectio.linking.tests.test_checker import FakeFetch
from lectio.lists.models import Citation, ReadingList
from lectio.lists.statuses import ListStatus

pytestmark = pytest.mark.django_db


def website(reading_list: ReadingList, actor: User, url: str, **kw: Any) -> Citation:
    return add_citation(
        reading_list,
        actor=actor,
        title=f"Page {url}",
        material_type="website",
        status=kw.pop("status", "Complete"),
        metadata={"title": f"Page {url}", "URL": url},
        **kw,
    )


def test_links_of_citations_on_active_lists_are_checked(
    published_list: ReadingList, instructor: User
) -> None:
    ok = website(published_list, instructor, "https://a.example/ok")
    website(published_list, instructor, "https://a.example/inactive", status="Inactive")
    website(published_list, instructor, "ftp://a.example/file")
    same = website(published_list, instructor, "https://a.example/ok")

    urls = services.links_to_check()

    assert urls == {
        "https://a.example/ok": [
            (ok.pk, published_list.pk),
            (same.pk, published_list.pk),
        ]
    }
    ReadingList.objects.filter(pk=published_list.pk).update(status=ListStatus.INACTIVE)
    assert services.links_to_check() == {}


def test_a_check_run_records_history_and_puts_broken_links_on_the_task_list(
    published_list: ReadingList, instructor: User
) -> None:
    website(published_list, instructor, "https://a.example/ok")
    website(published_list, instructor, "https://b.example/gone")
    ReadingList.objects.filter(pk=published_list.pk).update(
        library_alert_at=None, library_seen_at=None
    )

    counts = run_link_check(fetch=FakeFetch(), sleep=lambda s: None)

    assert counts == {
        "checked": 2,
        "newly_broken": 1,
        "ok": 1,
        "broken": 1,
        "unsure": 0,
    }
    links = dict(CheckedLink.objects.values_list("url", "status"))
    assert links == {
        "https://a.example/ok": LinkStatus.OK,
        "https://b.example/gone": LinkStatus.BROKEN,
    }
    gone = CheckedLink.objects.get(url="https://b.example/gone")
    assert (gone.status_code, gone.host, gone.failures) == (404, "b.example", 1)
    assert LinkCheckResult.objects.filter(link=gone).count() == 1
    published_list.refresh_from_db()
    assert published_list.library_alert_at is not None
    assert Event.objects.filter(verb="links.check").count() == 1

    # A second run adds history; a link already broken is not news again.
    ReadingList.objects.filter(pk=published_list.pk).update(library_alert_at=None)
    again = run_link_check(fetch=FakeFetch(), sleep=lambda s: None)
    assert again["newly_broken"] == 0
    assert LinkCheckResult.objects.filter(link=gone).count() == 2
    published_list.refresh_from_db()
    assert published_list.library_alert_at is None


def test_three_unsure_checks_in_a_row_make_a_link_broken(
    published_list: ReadingList, instructor: User
) -> None:
    url = "https://c.example/down"
    website(published_list, instructor, url)
    citing = services.links_to_check()
    start = datetime.datetime(2026, 12, 1, tzinfo=datetime.UTC)
    statuses = []
    for day in range(3):
        services.link_checks_record(
            outcomes=[Outcome(url=url, status="unsure", status_code=503)],
            citing=citing,
            now=start + datetime.timedelta(days=day),
        )
        statuses.append(CheckedLink.objects.get(url=url).status)

    assert statuses == [LinkStatus.UNSURE, LinkStatus.UNSURE, LinkStatus.BROKEN]
    link = CheckedLink.objects.get(url=url)
    assert link.broken_since == start + datetime.timedelta(days=2)

    services.link_checks_record(
        outcomes=[Outcome(url=url, status="ok", status_code=200)], citing=citing
    )
    link.refresh_from_db()
    assert (link.status, link.failures, link.broken_since) == (LinkStatus.OK, 0, None)


def test_the_command_reports_its_counts(
    published_list: ReadingList, instructor: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lectio.linking import checker

    website(published_list, instructor, "https://a.example/gone")
    fake = FakeFetch()
    real = checker.check_urls
    monkeypatch.setattr(
        checker, "check_urls", lambda urls, **kw: real(urls, fetch=fake, **kw)
    )
    out = io.StringIO()

    call_command("check_links", "--retries", "0", stdout=out)

    assert out.getvalue().strip() == (
        "checked 1: 0 working, 1 broken, 0 could not be checked; 1 newly broken"
    )


def test_a_student_reports_a_broken_link_once(
    published_list: ReadingList, instructor: User, student: User, client_for: Any
) -> None:
    citation = website(published_list, instructor, "https://a.example/x")
    ReadingList.objects.filter(pk=published_list.pk).update(library_alert_at=None)
    client = client_for(student)
    url = reverse("linking:report", args=[citation.pk])

    form = client.get(url)
    first = client.post(url, {"note": "<b>Page not found</b>"})
    second = client.post(url, {"note": "again"})

    assert form.status_code == 200
    assert b"<label" in form.content
    assert first.status_code == second.status_code == 302
    (report,) = BrokenLinkReport.objects.all()
    assert (report.citation_id, report.reported_by_id, report.note, report.url) == (
        citation.pk,
        student.pk,
        "<b>Page not found</b>",
        "https://a.example/x",
    )
    assert Event.objects.filter(verb="link.report").count() == 1
    published_list.refresh_from_db()
    assert published_list.library_alert_at is not None


def test_a_student_who_cannot_read_the_citation_cannot_report_it(
    reading_list: ReadingList, instructor: User, student: User, client_for: Any
) -> None:
    citation = website(reading_list, instructor, "https://a.example/x")

    response = client_for(student).post(
        reverse("linking:report", args=[citation.pk]), {"note": "x"}
    )

    assert response.status_code == 404
    assert not BrokenLinkReport.objects.exists()


def test_the_reading_view_offers_the_report_link(
    published_list: ReadingList, instructor: User, student: User, client_for: Any
) -> None:
    citation = website(published_list, instructor, "https://a.example/x")

    page = client_for(student).get(reverse("lists:detail", args=[published_list.pk]))

    html = page.content.decode()
    assert reverse("linking:report", args=[citation.pk]) in html


def test_the_library_sees_reports_and_checked_broken_links_and_closes_reports(
    published_list: ReadingList,
    instructor: User,
    student: User,
    librarian: User,
    client_for: Any,
    django_assert_max_num_queries: Any,
) -> None:
    citation = website(published_list, instructor, "https://a.example/x")
    website(published_list, instructor, "https://b.example/gone")
    run_link_check(fetch=FakeFetch(), sleep=lambda s: None)
    report = services.broken_link_report(actor=student, citation=citation, note="404")
    client = client_for(librarian)

    with django_assert_max_num_queries(10):
        page = client.get(reverse("linking:broken_links"))

    html = page.content.decode()
    assert page.status_code == 200
    assert "https://a.example/x" in html and "404" in html
    assert "https://b.example/gone" in html and "answered 404" in html
    assert published_list.name in html

    closed = client.post(reverse("linking:resolve_report", args=[report.pk]))

    assert closed.status_code == 302
    report.refresh_from_db()
    assert report.resolved_by_id == librarian.pk
    assert (
        "No open reports."
        in client.get(reverse("linking:broken_links")).content.decode()
    )


def test_only_library_staff_close_reports(
    published_list: ReadingList, instructor: User, student: User
) -> None:
    citation = website(published_list, instructor, "https://a.example/x")
    report = services.broken_link_report(actor=student, citation=citation)

    with pytest.raises(services.ReportError):
        services.broken_link_resolve(actor=instructor, report=report)

    report.refresh_from_db()
    assert report.resolved_at is None
