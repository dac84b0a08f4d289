from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from django.test import Client

from lectio.accounts.models import User
from lectio.core.models import Event
from lectio.linking import openurl
from lectio.linking.models import LinkingSettings
from lectio.linking.tests.support import SCIENCE_ISSN, make_catalog

PROXY = "https://proxy.example.edu/login?url="
ARTICLE = (
    "url_ver=Z39.88-2004&rft_val_fmt=info%3Aofi%2Ffmt%3Akev%3Amtx%3Ajournal"
    "&rft.genre=article&rft.atitle=Isolation+of+a+common+receptor"
    f"&rft.jtitle=Science&rft.issn={SCIENCE_ISSN}&rft.volume=275"
    "&rfr_id=info%3Asid%2Fexample.com%3Adatabase"
)


def configure(**fields: Any) -> LinkingSettings:
    row = LinkingSettings.current()
    for name, value in fields.items():
        setattr(row, name, value)
    row.save()
    LinkingSettings.forget_cached()
    return row


def get(client: Client, query: str) -> Any:
    return client.get("/openurl?" + query)


@pytest.mark.django_db
def test_find_it_page_lists_proxied_full_text_and_open_access(
    student: User, client_for: Any, django_assert_max_num_queries: Any
) -> None:
    make_catalog()
    configure(proxy_prefix=PROXY)
    client = client_for(student)

    with django_assert_max_num_queries(14):
        response = get(client, ARTICLE + "&rft.date=1997")

    assert response.status_code == 200
    html = response.content.decode()
    assert (
        'href="https://proxy.example.edu/login?url=https://www.science.org/journal/science"'
        in html
    )
    assert 'href="https://archive.example.org/science"' in html
    assert "https://old.example.org/science" not in html
    assert "<main" in html and 'aria-labelledby="online-h"' in html


@pytest.mark.django_db
def test_one_click_goes_straight_to_the_one_covering_full_text(
    student: User, client_for: Any
) -> None:
    make_catalog()
    configure(proxy_prefix=PROXY, one_click=True)

    response = get(client_for(student), ARTICLE + "&rft.date=2015-04")

    assert response.status_code == 302
    assert response["Location"] == PROXY + "https://www.science.org/journal/science"


@pytest.mark.django_db
def test_one_click_shows_the_page_when_there_are_two_options(
    student: User, client_for: Any
) -> None:
    make_catalog()
    configure(one_click=True)

    response = get(client_for(student), ARTICLE + "&rft.date=1997")

    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "",
        "foo=bar",
        "%FF%FE%00=%C0%AF",
        "url_ver=Z39.88-2004",
        "rft.atitle=" + "a" * (openurl.MAX_INPUT + 10),
        "url_ctx_fmt=info:ofi/fmt:xml:xsd:ctx&url_ctx_val=%3Cnot-xml",
        "<script>alert(1)</script>=<script>alert(2)</script>",
    ],
)
@pytest.mark.parametrize("who", ["guest", "student"])
def test_garbage_is_a_400_page_for_everyone(
    query: str, who: str, request: pytest.FixtureRequest, client_for: Any
) -> None:
    client = Client() if who == "guest" else client_for(request.getfixturevalue(who))

    response = get(client, query)

    assert response.status_code == 400
    html = response.content.decode()
    assert "Could not understand this link" in html
    assert "<script>alert" not in html


@pytest.mark.django_db
def test_script_in_parameters_is_shown_escaped(student: User, client_for: Any) -> None:
    make_catalog()
    query = (
        "genre=article&atitle=%3Cscript%3Ealert(1)%3C%2Fscript%3E"
        "&title=%22%3E%3Cimg+src%3Dx+onerror%3Dalert(1)%3E&issn=" + SCIENCE_ISSN
    )

    response = get(client_for(student), query)

    html = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert(1)" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.django_db
def test_guests_log_in_first_and_come_back_to_the_rebuilt_openurl() -> None:
    response = Client().post(
        "/openurl", {"genre": "book", "isbn": "0192860925", "title": "X"}
    )

    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith("/login/?next=")
    assert quote("rft.isbn=9780192860927", safe="") in location


@pytest.mark.django_db
def test_post_form_and_xml_body_resolve_like_get(
    student: User, client_for: Any
) -> None:
    make_catalog()
    client = client_for(student)
    xml = (
        '<ctx:context-object xmlns:ctx="info:ofi/fmt:xml:xsd:ctx" version="Z39.88-2004">'
        "<ctx:referent><ctx:metadata-by-val>"
        "<ctx:format>info:ofi/fmt:xml:xsd:book</ctx:format><ctx:metadata>"
        '<bk:book xmlns:bk="info:ofi/fmt:xml:xsd:book">'
        "<bk:btitle>The Selfish Gene</bk:btitle><bk:isbn>0192860925</bk:isbn>"
        "</bk:book></ctx:metadata></ctx:metadata-by-val></ctx:referent>"
        "</ctx:context-object>"
    )

    by_form = client.post("/openurl", {"genre": "book", "isbn": "0192860925"})
    by_xml = client.post("/openurl", xml, content_type="application/xml")
    by_get = get(client, "genre=book&isbn=0192860925")

    for response in (by_form, by_xml, by_get):
        assert response.status_code == 200
        assert "Available (1 of 2 copies)" in response.content.decode()
        assert "Place hold" in response.content.decode()


@pytest.mark.django_db
def test_oversized_post_is_refused(student: User, client_for: Any) -> None:
    response = client_for(student).post(
        "/openurl", {"atitle": "x" * (openurl.MAX_INPUT + 1)}
    )
    assert response.status_code == 400


@pytest.mark.django_db
def test_lectios_own_links_go_to_the_external_resolver_when_one_is_set(
    student: User, client_for: Any
) -> None:
    make_catalog()
    configure(external_resolver_url="https://resolver.example.edu/sfx?inst=1")
    built = openurl.build(
        {"title": "Isolation", "container-title": "Science", "ISSN": SCIENCE_ISSN},
        "article",
    )
    client = client_for(student)

    own = get(client, built + "&evil=https%3A%2F%2Fevil.example")
    outside = get(client, ARTICLE)

    assert own.status_code == 302
    assert own["Location"].startswith("https://resolver.example.edu/sfx?inst=1&")
    assert "evil" not in own["Location"]
    parsed = openurl.parse_query(own["Location"].split("?", 1)[1])
    assert (parsed.atitle, parsed.jtitle, parsed.issn) == (
        "Isolation",
        "Science",
        SCIENCE_ISSN,
    )
    assert outside.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "extra",
    [
        "&rft_id=https%3A%2F%2Fevil.example%2F",
        "&url=https%3A%2F%2Fevil.example%2F&next=https%3A%2F%2Fevil.example%2F",
        "&svc_id=https%3A%2F%2Fevil.example%2F",
    ],
)
def test_never_redirects_to_a_target_from_the_request(
    extra: str, student: User, client_for: Any
) -> None:
    make_catalog()
    configure(one_click=True)

    response = get(client_for(student), ARTICLE + "&rft.date=2015" + extra)

    assert response.status_code == 302
    assert response["Location"] == "https://www.science.org/journal/science"


@pytest.mark.django_db
def test_admin_saves_the_resolver_settings(admin: User, client_for: Any) -> None:
    client = client_for(admin)
    row = LinkingSettings.current()
    page = client.get("/settings/linking/")
    assert page.status_code == 200

    response = client.post(
        "/settings/linking/",
        {
            "version": row.version,
            "proxy_prefix": PROXY,
            "proxy_scope": "licensed",
            "proxy_skip_hosts": "SSO.example.org\n\n",
            "one_click": "on",
            "external_resolver_url": "",
            "first_choice": "open_access",
            "second_choice": "licensed",
            "third_choice": "print",
        },
    )

    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.proxy_prefix, row.proxy_skip_hosts, row.one_click) == (
        PROXY,
        "sso.example.org",
        True,
    )
    assert row.preference == ["open_access", "licensed", "print"]
    assert Event.objects.filter(verb="linking.settings").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("proxy_prefix", "http://proxy.example.edu/login?url="),
        ("proxy_prefix", "javascript:alert(1)"),
        ("external_resolver_url", "ftp://resolver.example.edu/"),
        ("second_choice", "open_access"),
        ("proxy_skip_hosts", "https://host.example/"),
    ],
)
def test_bad_settings_are_refused_and_nothing_changes(
    field: str, value: str, admin: User, client_for: Any
) -> None:
    row = LinkingSettings.current()
    data = {
        "version": row.version,
        "proxy_prefix": "",
        "proxy_scope": "licensed",
        "proxy_skip_hosts": "",
        "external_resolver_url": "",
        "first_choice": "open_access",
        "second_choice": "licensed",
        "third_choice": "print",
    }
    data[field] = value

    response = client_for(admin).post("/settings/linking/", data)

    assert response.status_code == 200
    assert b'class="form-errors"' in response.content or b"error" in response.content
    after = LinkingSettings.objects.get(pk=row.pk)
    assert (after.version, after.proxy_prefix, after.preference) == (
        row.version,
        row.proxy_prefix,
        row.preference,
    )
    assert not Event.objects.filter(verb="linking.settings").exists()


@pytest.mark.django_db
def test_stale_settings_form_is_a_conflict(admin: User, client_for: Any) -> None:
    row = LinkingSettings.current()
    LinkingSettings.objects.filter(pk=row.pk).update(version=row.version + 1)

    response = client_for(admin).post(
        "/settings/linking/",
        {
            "version": row.version,
            "proxy_scope": "licensed",
            "first_choice": "licensed",
            "second_choice": "open_access",
            "third_choice": "print",
        },
    )

    assert response.status_code == 409
    assert response["X-Current-Version"] == str(row.version + 1)
