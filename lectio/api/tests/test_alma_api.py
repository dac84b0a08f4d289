"""The Alma-compatible API's endpoints in JSON and XML: course search and paging,
courses, reading lists, citations, tags and owners read and written through the
services (audit events), bad input named, query counts pinned, and a script written
for Alma working unchanged."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lectio.accounts.models import Role
from lectio.accounts.services import api_key_create
from lectio.core.factories import CourseFactory, TermFactory, UserFactory, enrol
from lectio.core.models import Event
from lectio.courses.models import Campus, Course, CourseCampus, CourseRole
from lectio.lists.models import Citation, Collaborator, ReadingList
from lectio.lists.statuses import PublicationStatus, Visibility

BASE = "/almaws/v1"


@pytest.fixture
def key(librarian) -> str:
    _key, secret = api_key_create(
        actor=None,
        name="alma-script",
        scopes=["courses:write", "lists:write"],
        user=librarian,
    )
    return secret


@pytest.fixture
def api(client, key):
    """api(method, path, body=None, fmt="json", **params) -> response."""

    def request(
        method: str,
        path: str,
        body: Any = None,
        fmt: str = "json",
        content_type: str = "application/json",
        **params: Any,
    ) -> Any:
        query = "&".join(f"{k}={v}" for k, v in params.items())
        url = BASE + path + (("?" + query) if query else "")
        if isinstance(body, dict):
            body = json.dumps(body)
        headers = {"HTTP_AUTHORIZATION": f"apikey {key}"}
        if fmt == "json":
            headers["HTTP_ACCEPT"] = "application/json"
        return client.generic(
            method, url, body or "", content_type=content_type, **headers
        )

    return request


def error_of(response: Any) -> str:
    [error] = response.json()["web_service_result"]["errorList"]["error"]
    return error["errorMessage"]


@pytest.fixture
def taught(course, instructor):
    instructor.primary_id = "P-INES"
    instructor.save()
    Course.objects.filter(pk=course.pk).update(
        searchable_ids=["LIT101-AUT26"], notes=["Seminar room 4"]
    )
    campus = Campus.objects.create(code="MAIN", name="Main campus")
    CourseCampus.objects.create(course=course, campus=campus, participants=25)
    return course


# --- search and paging ---------------------------------------------------------------


def test_course_search_answers_almas_json(api, taught, other_course):
    response = api("GET", "/courses", q="code~lit")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["total_record_count"] == 1
    [course] = body["course"]
    assert course["id"] == str(taught.pk)
    assert course["link"] == f"http://testserver{BASE}/courses/{taught.pk}"
    assert course["code"] == "LIT101"
    assert course["name"] == "Reading the Canon"
    assert course["academic_department"] == {"value": "LIT", "desc": "Literature"}
    assert course["processing_department"] == {"value": "LIT", "desc": "Literature"}
    assert course["term"] == [{"value": "AUT26", "desc": "Autumn 2026"}]
    assert course["status"] == {"value": "ACTIVE", "desc": "Active"}
    assert course["year"] == 2026
    assert course["instructor"] == [
        {"primary_id": "P-INES", "first_name": "Ines", "last_name": "Instructor"}
    ]
    assert course["campus"] == [
        {
            "campus_code": {"value": "MAIN", "desc": "Main campus"},
            "campus_participants": 25,
        }
    ]
    assert course["searchable_id"] == ["LIT101-AUT26"]
    assert course["note"] == [{"content": "Seminar room 4"}]
    assert course["created_date"].endswith("Z")


def test_course_search_answers_xml_by_default(api, taught):
    response = api("GET", "/courses", fmt="xml", q="code~LIT")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)
    assert root.tag == "courses"
    assert root.get("total_record_count") == "1"
    course = root.find("course")
    assert course.get("link").endswith(f"/courses/{taught.pk}")
    assert course.findtext("code") == "LIT101"
    assert course.find("academic_department").get("desc") == "Literature"
    assert [t.text for t in course.find("terms")] == ["AUT26"]
    assert course.findtext("instructors/instructor/primary_id") == "P-INES"
    assert course.findtext("campuses/campus/campus_code") == "MAIN"


def test_format_parameter_and_accept_header_choose_json(client, key, taught):
    auth = {"HTTP_AUTHORIZATION": f"apikey {key}"}
    assert client.get(f"{BASE}/courses", {"format": "json"}, **auth).json()
    accepted = client.get(f"{BASE}/courses", HTTP_ACCEPT="application/json", **auth)
    assert accepted.json()["total_record_count"] == 1
    xml = client.get(
        f"{BASE}/courses", {"format": "xml"}, HTTP_ACCEPT="application/json", **auth
    )
    assert xml["Content-Type"].startswith("application/xml")


@pytest.mark.parametrize(
    ("q", "codes"),
    [
        ("code~his", ["HIS201"]),
        ("name~CANON", ["LIT101"]),
        ("section~01", ["LIT101"]),
        ("notes~seminar", ["LIT101"]),
        ("instructors~ines", ["LIT101"]),
        ("instructors~P-INES", ["LIT101"]),
        ("searchable_ids~aut26", ["LIT101"]),
        ("year~2026", ["HIS201", "LIT101"]),
        ("year~2025", []),
        ("academic_department~history", ["HIS201"]),
        ("academic_department~LIT", ["LIT101"]),
        ("all~canon", ["LIT101"]),
        ("all~ines", ["LIT101"]),
        ("all~his", ["HIS201"]),
        ("all~SEMINAR", ["LIT101"]),
        ("all~aut26", ["LIT101"]),
        ("all~100%", []),
        ("code~1 AND name~modern", ["HIS201"]),
        ("code~LIT AND name~modern", []),
    ],
)
def test_q_fields(api, taught, other_course, q, codes):
    Course.objects.filter(pk=taught.pk).update(section="01")

    body = api("GET", "/courses", q=q).json()

    assert sorted(c["code"] for c in body["course"]) == codes
    assert body["total_record_count"] == len(codes)


def test_bad_q_is_a_400_naming_the_field(api, taught):
    response = api("GET", "/courses", q="title~x")

    assert response.status_code == 400
    assert error_of(response).startswith("q: unknown field “title”")
    [error] = response.json()["web_service_result"]["errorList"]["error"]
    assert error["errorCode"] == "INVALID_PARAMETER"


def test_paging_with_total(api, db):
    CourseFactory.create_batch(15, year=2030)

    first = api("GET", "/courses", q="year~2030").json()
    second = api("GET", "/courses", q="year~2030", offset=10, limit=10).json()
    beyond = api("GET", "/courses", q="year~2030", offset=40).json()
    count_only = api("GET", "/courses", q="year~2030", limit=0).json()
    everything = api("GET", "/courses", limit=100).json()

    assert len(first["course"]) == 10
    assert first["total_record_count"] == 15
    assert len(second["course"]) == 5
    assert second["total_record_count"] == 15
    ids = [c["id"] for c in first["course"] + second["course"]]
    assert len(set(ids)) == 15
    assert beyond == {"course": [], "total_record_count": 15}
    assert count_only == {"course": [], "total_record_count": 15}
    assert everything["total_record_count"] == 15


@pytest.mark.parametrize(
    ("params", "field"),
    [({"limit": 101}, "limit"), ({"offset": -1}, "offset"), ({"limit": "x"}, "limit")],
)
def test_bad_paging_is_a_400(api, db, params, field):
    response = api("GET", "/courses", **params)
    assert response.status_code == 400
    assert error_of(response).startswith(f"{field}: ")


def test_instructors_search_reads_only_people_who_teach(api, taught, other_course):
    # A student named like the teacher, enrolled as a student, is not a match;
    # the teacher's name matches in any case, the wildcards of LIKE are literal.
    student = UserFactory.create(first_name="Ines", last_name="Student")
    enrol(student, other_course, CourseRole.STUDENT)
    odd = UserFactory.create(first_name="Ana", last_name="50%_off", primary_id="X_1")
    enrol(odd, other_course, CourseRole.INSTRUCTOR)

    def codes(q: str) -> list[str]:
        return sorted(c["code"] for c in api("GET", "/courses", q=q).json()["course"])

    assert codes("instructors~INES") == ["LIT101"]
    assert codes("instructors~p-ines") == ["LIT101"]
    assert codes("instructors~50%_") == ["HIS201"]
    assert codes("instructors~0%") == ["HIS201"]
    assert codes("instructors~X_1") == ["HIS201"]
    assert codes("instructors~X%1") == []
    assert codes("instructors~5_%") == []
    assert codes("all~ines AND code~LIT") == ["LIT101"]


def test_teaching_people_finds_ids_up_to_the_limit(db, course):
    from lectio.api.alma.query import teaching_people

    teachers = UserFactory.create_batch(3, last_name="Okafor")
    for teacher in teachers:
        enrol(teacher, course, CourseRole.INSTRUCTOR)
    enrol(UserFactory.create(last_name="Okafor"), course, CourseRole.STUDENT)

    assert sorted(teaching_people("okafor", 10)) == sorted(t.pk for t in teachers)
    assert len(teaching_people("OKA", 2)) == 2
    assert teaching_people("nobody", 10) == []


def test_instructors_search_for_very_many_people_is_a_subquery(
    api, taught, monkeypatch
):
    monkeypatch.setattr("lectio.api.alma.query.PEOPLE_IDS_MAX", 0)

    body = api("GET", "/courses", q="instructors~ines").json()

    assert [c["code"] for c in body["course"]] == ["LIT101"]


def test_and_terms_are_compared_cheapest_first():
    from lectio.api.alma.query import COST, FIELDS, course_filter

    assert set(COST) == set(FIELDS)
    condition = course_filter([("name", "x"), ("year", "2026"), ("code", "y")])
    assert [child[0] for child in condition.children] == [
        "year",
        "code__icontains",
        "name__icontains",
    ]


def test_course_list_of_100_is_a_fixed_number_of_queries(api, db, librarian):
    terms = [TermFactory.create(code=f"T{i}") for i in range(2)]
    campus = Campus.objects.create(code="C1", name="Campus")

    def make(n: int) -> None:
        for course in CourseFactory.create_batch(n, terms=terms):
            CourseCampus.objects.create(course=course, campus=campus)
            enrol(
                UserFactory.create(role=Role.INSTRUCTOR), course, CourseRole.INSTRUCTOR
            )

    make(3)
    with CaptureQueriesContext(connection) as few:
        # a full page, like the one below, so both count (a short page needs not)
        assert api("GET", "/courses", limit=3).status_code == 200
    make(100)
    with CaptureQueriesContext(connection) as many:
        body = api("GET", "/courses", limit=100).json()
    with CaptureQueriesContext(connection) as searched:
        assert api("GET", "/courses", limit=100, q="all~course").status_code == 200

    assert len(body["course"]) == 100
    assert all(
        len(c["instructor"]) == 1 and len(c["term"]) == 2 for c in body["course"]
    )
    assert len(many.captured_queries) == len(few.captured_queries)
    # key (2), page (with its departments), count, terms, campuses, instructors
    assert len(many.captured_queries) <= 7
    # plus the people an instructors search looks up first
    assert len(searched.captured_queries) <= 8


# --- courses -------------------------------------------------------------------------


NEW_COURSE = {
    "code": "PHI100",
    "name": "Ethics",
    "section": "A",
    "academic_department": {"value": "LIT"},
    "processing_department": "LIT",
    "term": [{"value": "AUT26", "desc": "Autumn 2026"}],
    "status": {"value": "ACTIVE"},
    "start_date": "2026-09-28Z",
    "end_date": "2026-12-11",
    "weekly_hours": 3,
    "participants": "40",
    "year": 2026,
    "instructor": [{"primary_id": "P-INES"}],
    "campus": [{"campus_code": {"value": "MAIN"}, "campus_participants": 40}],
    "searchable_id": ["PHI100-A"],
    "note": [{"content": "New this year"}],
    "submit_by_date": "2026-08-01Z",
}


def test_create_a_course_in_json(api, taught, librarian, instructor):
    response = api("POST", "/courses", NEW_COURSE)

    assert response.status_code == 200, response.content
    body = response.json()
    course = Course.objects.get(code="PHI100", section="A")
    assert body["id"] == str(course.pk)
    assert body["start_date"] == "2026-09-28Z"
    assert body["end_date"] == "2026-12-11Z"
    assert body["participants"] == 40
    assert body["instructor"][0]["primary_id"] == "P-INES"
    assert body["campus"][0]["campus_participants"] == 40
    assert [t.code for t in course.terms.all()] == ["AUT26"]
    assert course.enrolments.get().user == instructor
    assert course.notes == ["New this year"]
    event = Event.objects.get(verb="course.create", target_id=course.pk)
    assert event.actor == librarian
    assert event.target_type == "course"


def test_create_a_course_in_xml(api, taught):
    xml = (
        "<?xml version='1.0'?><course><code>PHI200</code><name>Logic</name>"
        "<processing_department>LIT</processing_department>"
        "<terms><term desc='Autumn'>AUT26</term></terms>"
        "<instructors><instructor><primary_id>P-INES</primary_id></instructor>"
        "</instructors><weekly_hours>2</weekly_hours></course>"
    )
    response = api("POST", "/courses", xml, fmt="xml", content_type="application/xml")

    assert response.status_code == 200, response.content
    root = ET.fromstring(response.content)
    assert root.tag == "course"
    assert root.findtext("code") == "PHI200"
    assert root.findtext("weekly_hours") == "2"
    course = Course.objects.get(code="PHI200")
    assert course.weekly_hours == 2
    assert course.enrolments.count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"bogus": 1}, "bogus"),
        ({"processing_department": "NOPE"}, "processing_department"),
        ({"processing_department": None}, "processing_department"),
        ({"academic_department": {"value": "NOPE"}}, "academic_department"),
        ({"term": ["NOPE"]}, "term"),
        ({"status": "OPEN"}, "status"),
        ({"participants": "many"}, "participants"),
        ({"weekly_hours": -2}, "weekly_hours"),
        ({"start_date": "28/09/2026"}, "start_date"),
        ({"instructor": [{"primary_id": "NOBODY"}]}, "instructor.primary_id"),
        ({"campus": [{"campus_code": "MARS"}]}, "campus.campus_code"),
        ({"name": ""}, "name"),
        ({"code": None}, "code"),
    ],
)
def test_bad_course_is_a_400_naming_the_field(api, taught, change, field):
    response = api("POST", "/courses", {**NEW_COURSE, **change})

    assert response.status_code == 400, response.content
    assert error_of(response).startswith(f"{field}: ")
    assert not Course.objects.filter(code="PHI100").exists()
    assert not Event.objects.filter(verb="course.create").exists()


def test_bad_bodies_are_400s(api, taught):
    assert api("POST", "/courses", "{not json").status_code == 400
    not_xml = api("POST", "/courses", "<course>", content_type="application/xml")
    assert error_of(not_xml).startswith("body: not well-formed XML")
    wrong_root = api("POST", "/courses", "<citation/>", content_type="text/xml")
    assert error_of(wrong_root) == "body: expected a <course> element, got <citation>."
    entity = api(
        "POST",
        "/courses",
        '<!DOCTYPE x [<!ENTITY a "b">]><course/>',
        content_type="application/xml",
    )
    assert entity.status_code == 400


def test_a_second_course_with_the_same_code_and_section_is_a_409(api, taught):
    assert api("POST", "/courses", NEW_COURSE).status_code == 200
    response = api("POST", "/courses", NEW_COURSE)
    assert response.status_code == 409
    assert "exists already" in error_of(response)


def test_put_replaces_the_course(api, taught, librarian):
    path = f"/courses/{taught.pk}"
    current = api("GET", path).json()
    current.update(name="Reading the Canon, again", instructor=[], year=2027)
    current["term"] = []

    response = api("PUT", path, current)

    assert response.status_code == 200, response.content
    taught.refresh_from_db()
    assert taught.name == "Reading the Canon, again"
    assert taught.year == 2027
    assert taught.terms.count() == 0
    assert not taught.enrolments.filter(role=CourseRole.INSTRUCTOR).exists()
    assert taught.searchable_ids == ["LIT101-AUT26"]
    event = Event.objects.get(verb="course.update", target_id=taught.pk)
    assert set(event.params["changed"]) == {"name", "year"}


def test_get_a_course_with_its_lists_in_full(api, taught, reading_list):
    brief = api("GET", f"/courses/{taught.pk}").json()
    full = api("GET", f"/courses/{taught.pk}", view="full").json()

    assert "reading_lists" not in brief
    [rl] = full["reading_lists"]["reading_list"]
    assert rl["code"] == reading_list.code
    assert len(rl["citations"]["citation"]) == 4
    xml = ET.fromstring(
        api("GET", f"/courses/{taught.pk}", fmt="xml", view="full").content
    )
    assert len(xml.findall("reading_lists/reading_list/citations/citation")) == 4


def test_delete_a_course_keeps_its_lists(api, taught, reading_list, librarian):
    response = api("DELETE", f"/courses/{taught.pk}")

    assert response.status_code == 204
    assert not Course.objects.filter(pk=taught.pk).exists()
    assert ReadingList.objects.filter(pk=reading_list.pk).exists()
    assert Event.objects.filter(verb="course.delete", target_id=taught.pk).exists()


def test_unknown_course_is_a_404(api, db):
    for path in ("/courses/999999", "/courses/abc", "/courses/999999/reading-lists"):
        response = api("GET", path)
        assert response.status_code == 404
        assert response.json()["web_service_result"]["errorsExist"] is True


# --- reading lists ---------------------------------------------------------------------


def list_path(course: Course, reading_list: ReadingList) -> str:
    return f"/courses/{course.pk}/reading-lists/{reading_list.pk}"


def test_reading_lists_of_a_course(api, taught, reading_list):
    body = api("GET", f"/courses/{taught.pk}/reading-lists").json()

    assert body["total_record_count"] == 1
    [rl] = body["reading_list"]
    assert rl["id"] == str(reading_list.pk)
    assert rl["name"] == "Reading the Canon: core reading"
    assert rl["status"] == {"value": "BeingPrepared", "desc": "Being prepared"}
    assert rl["publishingStatus"] == {"value": "DRAFT", "desc": "Draft"}
    assert rl["visibility"]["value"] == "RESTRICTED"
    assert "citations" not in rl
    xml = ET.fromstring(
        api("GET", f"/courses/{taught.pk}/reading-lists", fmt="xml").content
    )
    assert xml.tag == "reading_lists"
    assert xml.find("reading_list/publishingStatus").text == "DRAFT"


def test_create_a_published_list(api, taught, librarian):
    response = api(
        "POST",
        f"/courses/{taught.pk}/reading-lists",
        {
            "code": "RL-NEW",
            "name": "Extra reading",
            "description": "More",
            "due_back_date": "2027-01-15Z",
            "publishingStatus": {"value": "PUBLISHED"},
            "visibility": {"value": "OPEN_TO_WORLD"},
        },
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["publishingStatus"]["value"] == "PUBLISHED"
    assert body["visibility"]["value"] == "OPEN_TO_WORLD"
    assert body["due_back_date"] == "2027-01-15Z"
    rl = ReadingList.objects.get(code="RL-NEW")
    assert rl.publication_status == PublicationStatus.PUBLISHED
    assert rl.visibility == Visibility.PUBLIC
    assert list(rl.courses.all()) == [taught]
    verbs = set(Event.objects.filter(list_id=rl.pk).values_list("verb", flat=True))
    assert {"list.create", "list.publish"} <= verbs


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"status": "Done"}, "status"),
        ({"publishingStatus": "LIVE"}, "publishingStatus"),
        ({"visibility": "EVERYONE"}, "visibility"),
        ({"name": ""}, "name"),
        ({"due_back_date": "soon"}, "due_back_date"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_list_is_a_400_naming_the_field(api, taught, change, field):
    response = api(
        "POST", f"/courses/{taught.pk}/reading-lists", {"name": "X", **change}
    )
    assert response.status_code == 400
    assert error_of(response).startswith(f"{field}: ")
    assert not ReadingList.objects.filter(name="X").exists()


def test_put_a_list(api, taught, reading_list):
    path = list_path(taught, reading_list)
    current = api("GET", path).json()
    current["name"] = "Core reading, revised"
    current["status"] = {"value": "ReadyForProcessing"}

    response = api("PUT", path, current)

    assert response.status_code == 200, response.content
    reading_list.refresh_from_db()
    assert reading_list.name == "Core reading, revised"
    assert reading_list.status == "ReadyForProcessing"
    assert Event.objects.filter(verb="list.update", list_id=reading_list.pk).exists()


def test_a_status_the_machine_refuses_is_a_400_and_changes_nothing(
    api, taught, reading_list
):
    path = list_path(taught, reading_list)
    response = api("PUT", path, {"name": "Renamed", "status": "Complete"})

    assert response.status_code == 400
    assert "Cannot change list status" in error_of(response)
    reading_list.refresh_from_db()
    assert reading_list.name == "Reading the Canon: core reading"


def test_list_views_and_delete(api, taught, reading_list, other_course):
    path = list_path(taught, reading_list)
    full = api("GET", path, view="full").json()
    assert len(full["citations"]["citation"]) == 4
    assert api("GET", path, view="huge").status_code == 400
    elsewhere = f"/courses/{other_course.pk}/reading-lists/{reading_list.pk}"
    assert api("GET", elsewhere).status_code == 404

    assert api("DELETE", path).status_code == 204
    assert not ReadingList.objects.filter(pk=reading_list.pk).exists()
    assert Event.objects.filter(verb="list.delete", target_id=reading_list.pk).exists()


# --- citations -------------------------------------------------------------------------


def test_citations_of_a_list(api, taught, reading_list):
    body = api("GET", list_path(taught, reading_list) + "/citations").json()

    assert body["total_record_count"] == 4
    by_title = {c["metadata"]["title"]: c for c in body["citation"]}
    book = by_title["The Canon and Its Critics"]
    assert book["type"] == {"value": "BK", "desc": "Book"}
    assert book["secondary_type"]["value"] == "BK"
    assert book["status"]["value"] == "Complete"
    assert book["copyrights_status"]["value"] == "NOTDETERMINED"
    assert book["metadata"]["author"] == "Hooks, Bell"
    assert book["metadata"]["isbn"] == "9780415908085"
    assert book["metadata"]["year"] == "1994"
    assert book["section_info"]["name"] == "Week 1"
    article = by_title["Reading Against the Grain"]
    assert article["type"]["value"] == "CR"
    assert article["metadata"]["article_title"] == "Reading Against the Grain"
    assert article["metadata"]["journal_title"] == "Harvard Educational Review"
    assert article["metadata"]["start_page"] == "377"
    xml = ET.fromstring(
        api("GET", list_path(taught, reading_list) + "/citations", fmt="xml").content
    )
    assert xml.get("total_record_count") == "4"
    assert len(xml.findall("citation/metadata/title")) == 4


def test_add_a_citation_with_section_and_tag(
    api, taught, reading_list, default_tags, librarian
):
    response = api(
        "POST",
        list_path(taught, reading_list) + "/citations",
        {
            "secondary_type": {"value": "CR"},
            "public_note": "Read first",
            "section_info": {"name": "Week 1"},
            "citation_tags": {
                "citation_tag": [
                    {"type": {"value": "PUBLIC"}, "value": {"value": "Essential"}}
                ]
            },
            "metadata": {
                "article_title": "Pedagogy of hope",
                "journal_title": "Review",
                "author": "Freire, Paulo; Macedo, Donaldo",
                "publication_date": "1995",
                "volume": "65",
                "start_page": "10",
                "end_page": "20",
                "doi": "10.1/x",
            },
        },
    )

    assert response.status_code == 200, response.content
    body = response.json()
    citation = Citation.objects.get(pk=int(body["id"]))
    assert citation.material_type == "article"
    assert citation.section.name == "Week 1"
    assert citation.metadata["title"] == "Pedagogy of hope"
    assert citation.metadata["container-title"] == "Review"
    assert citation.metadata["page"] == "10-20"
    assert citation.metadata["author"][1] == {"family": "Macedo", "given": "Donaldo"}
    assert [t.name for t in citation.tags.all()] == ["Essential"]
    assert body["citation_tags"]["citation_tag"][0]["value"]["value"] == "Essential"
    event = Event.objects.get(verb="citation.add", target_id=citation.pk)
    assert event.actor == librarian


def test_add_a_citation_in_xml(api, taught, reading_list):
    xml = (
        "<citation><type>BK</type><metadata><title>Small Book</title>"
        "<author>Woolf, Virginia</author><isbn>9780156787338</isbn></metadata>"
        "</citation>"
    )
    response = api(
        "POST",
        list_path(taught, reading_list) + "/citations",
        xml,
        fmt="xml",
        content_type="application/xml",
    )

    assert response.status_code == 200, response.content
    root = ET.fromstring(response.content)
    assert root.findtext("metadata/title") == "Small Book"
    assert root.findtext("secondary_type") == "BK"
    assert reading_list.citations.filter(title="Small Book").exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"metadata": {}}, "metadata.title"),
        ({"metadata": {"title": "X", "pagez": "1"}}, "metadata.pagez"),
        ({"metadata": {"title": "X"}, "secondary_type": "ZZ"}, "secondary_type"),
        ({"metadata": {"title": "X"}, "type": "ZZ"}, "type"),
        ({"metadata": {"title": "X"}, "status": "Lost"}, "status"),
        (
            {"metadata": {"title": "X"}, "copyrights_status": "MAYBE"},
            "copyrights_status",
        ),
        (
            {
                "metadata": {"title": "X"},
                "citation_tags": {"citation_tag": [{"value": "Nope"}]},
            },
            "citation_tags.citation_tag.value",
        ),
        (
            {"metadata": {"title": "X"}, "section_info": {"id": "999999"}},
            "section_info.id",
        ),
        ({"metadata": {"title": "X"}, "due_date": "2026-13-01"}, "due_date"),
    ],
)
def test_bad_citation_is_a_400_naming_the_field(api, taught, reading_list, body, field):
    response = api("POST", list_path(taught, reading_list) + "/citations", body)

    assert response.status_code == 400, response.content
    assert error_of(response).startswith(f"{field}: ")
    assert reading_list.citations.count() == 4


def test_get_put_delete_a_citation(api, taught, reading_list):
    citation = reading_list.citations.get(title="Reading Against the Grain")
    path = list_path(taught, reading_list) + f"/citations/{citation.pk}"
    current = api("GET", path).json()
    current["metadata"]["article_title"] = "Reading With the Grain"
    current["status"] = {"value": "ReadyForProcessing"}

    response = api("PUT", path, current)

    assert response.status_code == 200, response.content
    citation.refresh_from_db()
    assert citation.title == "Reading With the Grain"
    assert citation.status == "ReadyForProcessing"
    assert citation.metadata["container-title"] == "Harvard Educational Review"
    assert Event.objects.filter(verb="citation.update", target_id=citation.pk).exists()
    assert Event.objects.filter(verb="citation.status", target_id=citation.pk).exists()

    assert api("DELETE", path).status_code == 204
    assert not Citation.objects.filter(pk=citation.pk).exists()
    assert api("GET", path).status_code == 404


def test_tags_of_a_citation(api, taught, reading_list, default_tags):
    citation = reading_list.citations.order_by("pk").first()
    path = list_path(taught, reading_list) + f"/citations/{citation.pk}/tags"
    assert api("GET", path).json() == {"citation_tag": [], "total_record_count": 0}

    response = api(
        "PUT",
        path,
        {"citation_tag": [{"type": "PUBLIC", "value": "Recommended"}]},
    )

    assert response.status_code == 200, response.content
    assert response.json()["citation_tag"] == [
        {
            "type": {"value": "PUBLIC", "desc": "Public"},
            "value": {"value": "Recommended", "desc": "Recommended"},
        }
    ]
    assert [t.name for t in citation.tags.all()] == ["Recommended"]
    xml = (
        "<citation_tags><citation_tag><type>PUBLIC</type><value>Optional</value>"
        "</citation_tag></citation_tags>"
    )
    assert api("PUT", path, xml, content_type="application/xml").status_code == 200
    assert [t.name for t in citation.tags.all()] == ["Optional"]


def test_citation_lists_are_a_fixed_number_of_queries(
    api, taught, reading_list, instructor, default_tags
):
    from lectio.core.factories import add_citation

    path = list_path(taught, reading_list) + "/citations"
    with CaptureQueriesContext(connection) as few:
        api("GET", path)
    for i in range(20):
        citation = add_citation(reading_list, actor=instructor, title=f"Extra {i}")
        citation.tags.set(default_tags.values())
    with CaptureQueriesContext(connection) as many:
        assert len(api("GET", path).json()["citation"]) == 24
    with CaptureQueriesContext(connection) as lists:
        api("GET", f"/courses/{taught.pk}/reading-lists", view="full")

    assert len(many.captured_queries) == len(few.captured_queries)
    assert len(many.captured_queries) <= 7
    assert len(lists.captured_queries) <= 8


# --- owners -----------------------------------------------------------------------------


def test_owners(api, taught, reading_list, instructor, librarian):
    UserFactory.create(
        username="second", primary_id="P-2", first_name="Sec", last_name="Ond"
    )
    path = list_path(taught, reading_list) + "/owners"

    owners = api("GET", path).json()
    assert owners["total_record_count"] == 1
    assert owners["owner"][0]["primary_id"] == "P-INES"
    assert owners["owner"][0]["access_rights"] == {
        "value": "FULL",
        "desc": "Can manage",
    }

    added = api("POST", path, {"primary_id": "P-2", "access_rights": {"value": "EDIT"}})
    assert added.status_code == 200, added.content
    assert added.json()["full_name"] == "Sec Ond"
    assert api("POST", path, {"primary_id": "P-2"}).status_code == 409
    unknown = api("POST", path, {"primary_id": "NOBODY"})
    assert error_of(unknown).startswith("primary_id: ")

    assert api("GET", path + "/P-2").json()["access_rights"]["value"] == "EDIT"
    changed = api("PUT", path + "/P-2", {"access_rights": "FULL"})
    assert changed.json()["access_rights"]["value"] == "FULL"
    assert api("DELETE", path + "/P-2").status_code == 204
    assert api("GET", path + "/P-2").status_code == 404
    assert not Collaborator.objects.filter(user__primary_id="P-2").exists()
    verbs = list(
        Event.objects.filter(list_id=reading_list.pk, verb__startswith="collaborator")
        .order_by("pk")
        .values_list("verb", flat=True)
    )
    assert verbs == ["collaborator.add", "collaborator.change", "collaborator.remove"]


# --- a script written for Alma ------------------------------------------------------------


def test_an_alma_script_works_unchanged(client, key, taught, reading_list):
    """GET the course by code with the key as a parameter, find its list, add a
    citation: the calls and the JSON an Alma script sends."""
    found = client.get(
        f"{BASE}/courses", {"q": "code~LIT101", "format": "json", "apikey": key}
    ).json()
    course_id = found["course"][0]["id"]
    lists = client.get(
        f"{BASE}/courses/{course_id}/reading-lists", {"format": "json", "apikey": key}
    ).json()
    list_id = lists["reading_list"][0]["id"]
    citation = {
        "status": {"value": "BeingPrepared"},
        "type": {"value": "BK"},
        "secondary_type": {"value": "BK", "desc": "Book"},
        "metadata": {
            "title": "Mrs Dalloway",
            "author": "Woolf, Virginia",
            "publisher": "Hogarth Press",
            "publication_date": "1925",
            "isbn": "9780156628709",
        },
        "public_note": "Chapters 1-3",
    }

    response = client.post(
        f"{BASE}/courses/{course_id}/reading-lists/{list_id}/citations"
        f"?format=json&apikey={key}",
        data=json.dumps(citation),
        content_type="application/json",
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["metadata"]["title"] == "Mrs Dalloway"
    assert body["public_note"] == "Chapters 1-3"
    assert body["status"]["value"] == "BeingPrepared"
    assert reading_list.citations.filter(title="Mrs Dalloway").count() == 1
