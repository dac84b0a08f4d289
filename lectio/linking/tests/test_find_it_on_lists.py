"""Find it on the pages that show citations: the reading view (cached body), the
editor and a citation's page; the direct full-text link of a linked record."""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import unquote

import pytest
from django.urls import reverse

from lectio.accounts.models import User
from lectio.analytics.models import UsageEvent
from lectio.catalog.models import Portfolio
from lectio.catalog.tests.test_views_support import make_record
from lectio.core import usage
from lectio.core.factories import add_citation
from lectio.linking.links import find_it_url
from lectio.linking.models import LinkingSettings
from lectio.linking.tests.support import SCIENCE_ISSN, make_catalog, portfolio
from lectio.lists.models import Citation, ReadingList
from lectio.lists.statuses import MaterialAccess, Visibility

pytestmark = pytest.mark.django_db
PROXY = "https://proxy.example.edu/login?url="

ARTICLE = {
    "title": "Isolation of a common receptor",
    "container-title": "Science",
    "ISSN": SCIENCE_ISSN,
    "volume": "348",
    "issued": {"date-parts": [[2015, 4]]},
}


def configure(**fields: Any) -> None:
    row = LinkingSettings.current()
    for name, value in fields.items():
        setattr(row, name, value)
    row.save()
    LinkingSettings.forget_cached()


def find_it_links(page: str) -> dict[int, str]:
    """The Find it href of each citation on a page, by citation id."""
    found = {}
    for match in re.finditer(
        r'<a class="findit" href="([^"]+)"[^>]*aria-describedby="c(\d+)-ref"', page
    ):
        found[int(match.group(2))] = html.unescape(match.group(1))
    return found


def add_article(reading_list: ReadingList, instructor: User) -> Citation:
    return add_citation(
        reading_list,
        actor=instructor,
        title=ARTICLE["title"],
        material_type="article",
        status="Complete",
        metadata=ARTICLE,
    )


def test_student_clicks_find_it_and_lands_on_the_proxied_full_text(
    published_list: ReadingList, instructor: User, student: User, client_for: Any
) -> None:
    make_catalog()
    configure(proxy_prefix=PROXY, one_click=True)
    citation = add_article(published_list, instructor)
    client = client_for(student)

    page = client.get(reverse("lists:detail", args=[published_list.pk]))
    href = find_it_links(page.content.decode())[citation.pk]
    landed = client.get(href)

    assert href.startswith("/openurl?url_ver=Z39.88-2004&")
    assert landed.status_code == 302
    assert landed["Location"] == PROXY + "https://www.science.org/journal/science"


def test_every_citation_with_a_title_gets_find_it_on_the_reading_view(
    published_list: ReadingList, instructor: User, student: User, client_for: Any
) -> None:
    note = add_citation(
        published_list,
        actor=instructor,
        title="Bring a pencil",
        material_type="note",
        status="Complete",
    )
    page = client_for(student).get(reverse("lists:detail", args=[published_list.pk]))

    links = find_it_links(page.content.decode())
    visible = set(
        published_list.citations.filter(status="Complete").values_list("pk", flat=True)
    )
    assert set(links) == visible - {note.pk}
    assert len(links) == 2


def test_find_it_on_the_editor_and_the_citation_page(
    reading_list: ReadingList, instructor: User, client_for: Any
) -> None:
    citation = add_article(reading_list, instructor)
    client = client_for(instructor)

    editor = client.get(reverse("lists:detail", args=[reading_list.pk]))
    detail = client.get(reverse("lists:citation_detail", args=[citation.pk]))

    expected_ids = set(reading_list.citations.values_list("pk", flat=True))
    assert set(find_it_links(editor.content.decode())) == expected_ids
    assert list(find_it_links(detail.content.decode())) == [citation.pk]


def test_the_cached_reading_body_changes_with_the_citation(
    published_list: ReadingList, instructor: User, student: User, client_for: Any
) -> None:
    from lectio.lists import services

    citation = add_article(published_list, instructor)
    client = client_for(student)
    url = reverse("lists:detail", args=[published_list.pk])
    before = find_it_links(client.get(url).content.decode())[citation.pk]
    services.citation_update(
        actor=instructor,
        citation=citation,
        expected_version=citation.version,
        material_type="article",
        metadata={**ARTICLE, "volume": "349"},
    )

    after = find_it_links(client.get(url).content.decode())[citation.pk]

    assert "rft.volume=348" in before
    assert "rft.volume=349" in after


def test_find_it_goes_to_the_external_resolver_when_the_library_keeps_one(
    published_list: ReadingList, instructor: User, student: User, client_for: Any
) -> None:
    configure(external_resolver_url="https://sfx.example.edu/lib")
    citation = add_article(published_list, instructor)
    client = client_for(student)
    page = client.get(reverse("lists:detail", args=[published_list.pk]))

    landed = client.get(find_it_links(page.content.decode())[citation.pk])

    assert landed.status_code == 302
    assert landed["Location"].startswith("https://sfx.example.edu/lib?url_ver=")
    assert "rft.jtitle=Science" in landed["Location"]


def test_a_linked_record_with_one_portfolio_gets_a_direct_link(
    published_list: ReadingList, instructor: User, student: User, client_for: Any
) -> None:
    configure(proxy_prefix=PROXY)
    record = make_record("The Selfish Gene")
    portfolio(record, url="https://ebooks.example.org/selfish", provider="Ebooks")
    citation = published_list.citations.filter(status="Complete").first()
    assert citation is not None
    Citation.objects.filter(pk=citation.pk).update(catalog_record=record)
    ReadingList.objects.filter(pk=published_list.pk).update(content_version=99)

    page = client_for(student).get(reverse("lists:detail", args=[published_list.pk]))

    content = page.content.decode()
    link = reverse("linking:full_text", args=[citation.pk])
    assert f'href="{link}"' in content
    assert content.count("Full text online") == 1
    followed = client_for(student).get(link)
    assert followed.status_code == 302
    assert followed["Location"] == f"{PROXY}https://ebooks.example.org/selfish", (
        "a direct, proxied link"
    )


# --- following a link counts as opening the citation --------------------------------


def opens() -> list[tuple[Any, ...]]:
    usage.flush()
    return list(
        UsageEvent.objects.filter(kind="citation_open")
        .order_by("pk")
        .values_list("citation_id", "list_id", "detail", "role")
    )


def linked_citation(
    reading_list: ReadingList, *, open_access: bool = False
) -> Citation:
    record = make_record("The Selfish Gene")
    portfolio(
        record,
        url="https://ebooks.example.org/selfish",
        provider="Ebooks",
        open_access=open_access,
    )
    citation = reading_list.citations.filter(status="Complete").first()
    assert citation is not None
    Citation.objects.filter(pk=citation.pk).update(catalog_record=record)
    ReadingList.objects.filter(pk=reading_list.pk).update(content_version=99)
    citation.refresh_from_db()
    return citation


def test_following_find_it_counts_an_open_of_that_citation(
    usage_on: None,
    published_list: ReadingList,
    instructor: User,
    student: User,
    client_for: Any,
) -> None:
    citation = add_article(published_list, instructor)
    client = client_for(student)
    page = client.get(reverse("lists:detail", args=[published_list.pk]))
    link = find_it_links(page.content.decode())[citation.pk]
    assert "rfr_dat=" in link

    assert client.get(link).status_code == 200

    assert opens() == [(citation.pk, published_list.pk, "find_it", "student")]


def test_an_altered_or_foreign_find_it_link_counts_nothing(
    usage_on: None,
    published_list: ReadingList,
    instructor: User,
    student: User,
    client_for: Any,
) -> None:
    citation = add_article(published_list, instructor)
    other = add_article(published_list, instructor)
    client = client_for(student)
    link = find_it_url(ARTICLE, "article", citation.pk)
    forged = link.replace(f"%3A{citation.pk}%3A", f"%3A{other.pk}%3A")
    assert forged != link
    foreign = link.replace("info%3Asid%2Flectio", "info%3Asid%2Felsewhere")

    assert client.get(forged).status_code == 200
    assert client.get(foreign).status_code == 200

    assert opens() == []


def test_find_it_keeps_the_citation_through_sign_in_and_never_sends_it_on(
    usage_on: None,
    published_list: ReadingList,
    instructor: User,
    student: User,
    client_for: Any,
) -> None:
    citation = add_article(published_list, instructor)
    link = find_it_url(ARTICLE, "article", citation.pk)

    to_login = client_for(None).get(link)
    assert to_login.status_code == 302
    assert "rfr_dat" in unquote(to_login["Location"])

    configure(external_resolver_url="https://sfx.example.edu/lib")
    sent_on = client_for(student).get(link)
    assert sent_on.status_code == 302
    assert "rfr_dat" not in sent_on["Location"]
    assert opens() == [(citation.pk, published_list.pk, "find_it", "student")]


def test_following_the_full_text_link_counts_an_open(
    usage_on: None, published_list: ReadingList, student: User, client_for: Any
) -> None:
    citation = linked_citation(published_list)

    client_for(student).get(reverse("linking:full_text", args=[citation.pk]))

    assert opens() == [(citation.pk, published_list.pk, "full_text", "student")]


def test_licensed_full_text_follows_the_lists_material_access_rule(
    published_list: ReadingList, other_student: User, client_for: Any
) -> None:
    ReadingList.objects.filter(pk=published_list.pk).update(
        visibility=Visibility.INSTITUTION, material_access=MaterialAccess.COURSE
    )
    citation = linked_citation(published_list)
    url = reverse("linking:full_text", args=[citation.pk])

    assert client_for(other_student).get(url).status_code == 403
    assert client_for(None).get(url).status_code == 302  # to sign in
    assert "login" in client_for(None).get(url)["Location"]

    Portfolio.objects.filter(record=citation.catalog_record_id).update(open_access=True)
    opened = client_for(other_student).get(url)
    assert opened.status_code == 302
    assert opened["Location"] == "https://ebooks.example.org/selfish"


def test_no_full_text_link_without_one_portfolio_or_for_a_hidden_list(
    reading_list: ReadingList, student: User, client_for: Any
) -> None:
    citation = reading_list.citations.first()
    assert citation is not None
    url = reverse("linking:full_text", args=[citation.pk])
    # A draft list is not the student's to see.
    assert client_for(student).get(url).status_code == 404
    missing = reverse("linking:full_text", args=[10**9])
    assert client_for(student).get(missing).status_code == 404


def test_a_citation_without_a_record_has_no_full_text(
    published_list: ReadingList, student: User, client_for: Any
) -> None:
    citation = published_list.citations.filter(status="Complete").first()
    assert citation is not None
    url = reverse("linking:full_text", args=[citation.pk])
    assert client_for(student).get(url).status_code == 404
