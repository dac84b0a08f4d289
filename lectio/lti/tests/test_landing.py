"""Where a launch lands (the course's lists, a chooser, making or attaching a list),
deep linking back to the platform, and the launches deep links make."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import jwt
import pytest
from django.test import Client
from django.urls import reverse

from lectio.accounts.models import User
from lectio.core.factories import make_list
from lectio.courses.models import Course
from lectio.lists.models import Citation, ReadingList, Section
from lectio.lti import claims as c
from lectio.lti.tests.conftest import (
    CLIENT_ID,
    DEPLOYMENT_ID,
    INSTRUCTOR_ROLE,
    ISSUER,
    LEARNER_ROLE,
    TestPlatform,
)

pytestmark = pytest.mark.django_db


def launched(
    test_platform: TestPlatform, user: User | None = None, **options: Any
) -> tuple[Client, Any]:
    """A client that launched (as `user`, linked by primary id, when given)."""
    if user is not None:
        User.objects.filter(pk=user.pk).update(primary_id=f"P-{user.pk}")
        options[c.LIS] = {"person_sourcedid": f"P-{user.pk}"}
        options.setdefault("sub", f"sub-{user.pk}")
    client = Client()
    response = test_platform.launch(client, **options)
    assert response.status_code == 303, response.content
    return client, response


def test_several_lists_give_a_chooser(
    test_platform: TestPlatform,
    published_list: ReadingList,
    instructor: User,
    course: Course,
) -> None:
    second = make_list(
        owner=instructor, courses=[course], name="Further reading", visibility="course"
    )
    client, response = launched(test_platform)
    page = client.get(response["Location"])
    body = page.content.decode()
    assert page.status_code == 200
    assert reverse("lti:list", args=[published_list.pk]) in body
    assert reverse("lti:list", args=[second.pk]) in body
    assert "Create the list" not in body  # students make no lists


def test_a_student_sees_no_draft_lists(
    test_platform: TestPlatform, reading_list: ReadingList
) -> None:
    client, response = launched(test_platform)
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "no published reading list yet" in page.content.decode()
    assert client.get(reverse("lti:list", args=[reading_list.pk])).status_code == 404


def test_an_instructor_with_no_list_makes_one_there(
    test_platform: TestPlatform, course: Course
) -> None:
    client, response = launched(test_platform, roles=[INSTRUCTOR_ROLE])
    page = client.get(response["Location"])
    assert "This course has no list yet" in page.content.decode()
    made = client.post(
        response["Location"], {"action": "create", "name": "Week by week"}
    )
    reading_list = ReadingList.objects.get(name="Week by week")
    assert made["Location"] == reverse("lti:list", args=[reading_list.pk])
    assert list(reading_list.courses.all()) == [course]
    assert client.get(made["Location"]).status_code == 200


def test_an_instructor_attaches_one_of_their_lists(
    test_platform: TestPlatform,
    instructor: User,
    reading_list: ReadingList,
    other_course: Course,
) -> None:
    client, response = launched(
        test_platform, instructor, roles=[INSTRUCTOR_ROLE], context_label="HIS201"
    )
    assert response["Location"] == reverse("lti:course", args=[other_course.pk])
    page = client.get(response["Location"])
    assert f'<option value="{reading_list.pk}">' in page.content.decode()
    attached = client.post(
        response["Location"], {"action": "attach", "list_id": str(reading_list.pk)}
    )
    assert attached.status_code == 302
    assert other_course in reading_list.courses.all()


def test_a_student_cannot_make_or_attach_lists(
    test_platform: TestPlatform, course: Course, reading_list: ReadingList
) -> None:
    client, response = launched(test_platform)
    before = list(ReadingList.objects.values_list("pk", "version"))
    for data in (
        {"action": "create", "name": "Mine"},
        {"action": "attach", "list_id": str(reading_list.pk)},
    ):
        client.post(response["Location"], data)
    assert list(ReadingList.objects.values_list("pk", "version")) == before


def test_the_landing_refuses_a_course_the_user_is_not_in(
    test_platform: TestPlatform, course: Course, other_course: Course
) -> None:
    client, _response = launched(test_platform)
    page = client.get(reverse("lti:course", args=[other_course.pk]))
    assert page.status_code == 404


# --- deep linking ------------------------------------------------------------------


def _tool_key(client: Client, kid: str) -> Any:
    document = json.loads(client.get(reverse("lti:jwks")).content)
    jwk = next(k for k in document["keys"] if k["kid"] == kid)
    return jwt.algorithms.RSAAlgorithm.from_jwk(jwk)


def _form_fields(html: str) -> tuple[str, str]:
    action = html.split('action="', 1)[1].split('"', 1)[0]
    token = html.split('name="JWT" value="', 1)[1].split('"', 1)[0]
    return action, token


@pytest.mark.parametrize("kind", ["list", "section", "citation"])
def test_deep_linking_returns_a_signed_response_the_platform_accepts(
    test_platform: TestPlatform, instructor: User, reading_list: ReadingList, kind: str
) -> None:
    client, response = launched(
        test_platform,
        instructor,
        roles=[INSTRUCTOR_ROLE],
        message_type=c.DEEP_LINKING_REQUEST,
    )
    assert response["Location"] == reverse("lti:deep_link")
    picker = client.get(response["Location"])
    assert picker.status_code == 200
    assert picker["Content-Security-Policy"] == f"frame-ancestors {ISSUER}"
    target = {
        "list": reading_list.pk,
        "section": Section.objects.get(reading_list=reading_list, name="Week 1").pk,
        "citation": Citation.objects.get(title="The Canon and Its Critics").pk,
    }[kind]
    choice = f"{kind}:{target}"
    assert f'value="{choice}"' in picker.content.decode()
    answer = client.post(response["Location"], {"choice": choice})
    assert answer.status_code == 200
    action, token = _form_fields(answer.content.decode())
    assert action == f"{ISSUER}/deep_links/return"
    # What the platform does: verify with the key from the tool's key set.
    kid = jwt.get_unverified_header(token)["kid"]
    message = jwt.decode(
        token,
        _tool_key(client, kid),
        algorithms=["RS256"],
        audience=ISSUER,
        issuer=CLIENT_ID,
    )
    assert message[c.MESSAGE_TYPE] == "LtiDeepLinkingResponse"
    assert message[c.VERSION] == "1.3.0"
    assert message[c.DEPLOYMENT_ID] == DEPLOYMENT_ID
    assert message[c.DL_DATA] == "opaque-platform-data"
    assert message["nonce"]
    [item] = message[c.CONTENT_ITEMS]
    assert item["type"] == "ltiResourceLink"
    assert item["url"] == "http://testserver/lti/launch"
    assert item["custom"] == {"lectio_target": choice}
    # One answer per request.
    assert client.post(response["Location"], {"choice": choice}).status_code == 404


def test_students_cannot_deep_link(
    test_platform: TestPlatform, reading_list: ReadingList
) -> None:
    client, response = launched(
        test_platform, roles=[LEARNER_ROLE], message_type=c.DEEP_LINKING_REQUEST
    )
    assert client.get(response["Location"]).status_code == 403
    choice = f"list:{reading_list.pk}"
    assert client.post(response["Location"], {"choice": choice}).status_code == 403


def test_an_instructor_cannot_deep_link_someone_elses_list(
    test_platform: TestPlatform, other_instructor: User, reading_list: ReadingList
) -> None:
    client, response = launched(
        test_platform,
        other_instructor,
        roles=[INSTRUCTOR_ROLE],
        message_type=c.DEEP_LINKING_REQUEST,
        context_label="HIS201",  # their own course
    )
    answer = client.post(response["Location"], {"choice": f"list:{reading_list.pk}"})
    assert answer.status_code == 404
    assert "JWT" not in answer.content.decode()


@pytest.mark.parametrize("kind", ["list", "section", "citation"])
def test_a_deep_linked_launch_opens_its_target(
    test_platform: TestPlatform, published_list: ReadingList, kind: str
) -> None:
    section = Section.objects.get(reading_list=published_list, name="Week 1")
    citation = Citation.objects.get(title="The Canon and Its Critics")
    pk = {"list": published_list.pk, "section": section.pk, "citation": citation.pk}[
        kind
    ]
    client, response = launched(
        test_platform, **{c.CUSTOM: {"lectio_target": f"{kind}:{pk}"}}
    )
    assert response["Location"] == reverse("lti:target", args=[kind, pk])
    hop = client.get(response["Location"])
    anchor = {
        "list": "",
        "section": f"#s{section.pk}-h",
        "citation": f"#c{citation.pk}",
    }
    assert (
        hop["Location"] == reverse("lti:list", args=[published_list.pk]) + anchor[kind]
    )
    assert urlsplit(hop["Location"]).path == reverse(
        "lti:list", args=[published_list.pk]
    )


def test_a_deep_link_to_an_unfinished_citation_is_not_shown_to_students(
    test_platform: TestPlatform, published_list: ReadingList
) -> None:
    citation = Citation.objects.get(title="Reading Against the Grain")  # BeingPrepared
    client, response = launched(
        test_platform, **{c.CUSTOM: {"lectio_target": f"citation:{citation.pk}"}}
    )
    assert client.get(response["Location"]).status_code == 404


# --- the tool's keys ---------------------------------------------------------------


def test_the_tool_publishes_its_public_keys_only(client: Client) -> None:
    from lectio.lti.keys import tool_key_rotate

    first = json.loads(client.get(reverse("lti:jwks")).content)["keys"]
    assert len(first) == 1
    assert first[0]["kty"] == "RSA" and first[0]["alg"] == "RS256"
    assert "d" not in first[0] and "p" not in first[0]
    tool_key_rotate()
    both = json.loads(client.get(reverse("lti:jwks")).content)["keys"]
    assert [k["kid"] for k in both][0] == first[0]["kid"]
    assert len(both) == 2


# --- from the frame to a Lectio tab of its own -------------------------------------


def _open_link(html: str) -> str:
    return "/lti/open/" + html.split('href="/lti/open/', 1)[1].split('"', 1)[0]


def test_the_frame_opens_lectio_in_a_tab_signed_in_once(
    test_platform: TestPlatform, published_list: ReadingList
) -> None:
    client, response = launched(test_platform)
    page = client.get(response["Location"], follow=True)
    link = _open_link(page.content.decode())
    tab = Client()  # a top-level tab: the frame's partitioned cookies are not here
    opened = tab.get(link)
    assert opened.status_code == 302
    assert opened["Location"] == reverse("lists:detail", args=[published_list.pk])
    assert tab.session["_auth_user_id"] == client.session["_auth_user_id"]
    assert tab.get(opened["Location"]).status_code == 200
    # Once only, and only as signed.
    again = Client().get(link)
    assert again.status_code == 400
    assert "_auth_user_id" not in Client().session
    assert Client().get(link[:-2] + "xx").status_code == 400


def test_an_old_or_foreign_hand_off_is_refused(
    test_platform: TestPlatform, student: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.core import signing

    from lectio.lti import handoff

    away = signing.dumps(
        {"u": student.pk, "n": "n1", "p": "https://evil.example.com/"},
        salt=handoff.SALT,
    )
    assert Client().get(reverse("lti:open", args=[away])).status_code == 400
    link = handoff.handoff_url(student, "/courses/")
    monkeypatch.setattr(handoff, "MAX_AGE", -1)
    tab = Client()
    assert tab.get(link).status_code == 400
    assert "_auth_user_id" not in tab.session


def test_a_deep_linked_section_counts_a_view_of_that_section(
    usage_on: None, test_platform: TestPlatform, published_list: ReadingList
) -> None:
    from lectio.analytics.models import UsageEvent
    from lectio.core import usage

    section = Section.objects.get(reading_list=published_list, name="Week 1")
    client, response = launched(
        test_platform, **{c.CUSTOM: {"lectio_target": f"section:{section.pk}"}}
    )
    client.get(response["Location"])
    usage.flush()

    assert list(
        UsageEvent.objects.filter(kind="section_view").values_list(
            "list_id", "section_id", "channel"
        )
    ) == [(published_list.pk, section.pk, "lms")]
