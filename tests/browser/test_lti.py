"""A course page in an LMS (a small server of the test's own, another site than
Lectio's) opens Lectio in an iframe: the OIDC login, the platform's
authentication answer (a real signed id_token, auto-posted), the launch, and the
embedded list, at the width of an LMS iframe, checked with axe-core."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import jwt
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from lectio.accounts.models import User
from lectio.core.factories import make_list
from lectio.courses.models import Course, CourseRole, Enrolment
from lectio.lists.models import ReadingList
from lectio.lists.statuses import Visibility
from lectio.lti import claims as c
from lectio.lti import keys
from lectio.lti.services import platform_create
from lectio.lti.tests.conftest import pem, public_jwk, rsa_key
from tests.browser.conftest import LMS_IFRAME, WCAG_TAGS, describe_violations

pytestmark = pytest.mark.browser

CLIENT_ID = "browser-client"
DEPLOYMENT_ID = "browser-deployment"
KID = "browser-platform-key"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"


@pytest.fixture
def lms(
    settings: Any, monkeypatch: pytest.MonkeyPatch, lms_server: ThreadingHTTPServer
) -> Iterator[None]:
    issuer = f"http://127.0.0.1:{lms_server.server_address[1]}"
    # The iframe is a third-party context: cookies must be SameSite=None; Secure.
    settings.SESSION_COOKIE_SAMESITE = "None"
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SAMESITE = "None"
    settings.CSRF_COOKIE_SECURE = True
    platform_create(
        actor=None,
        deployment_ids=[DEPLOYMENT_ID],
        name="Browser LMS",
        issuer=issuer,
        client_id=CLIENT_ID,
        auth_login_url=f"{issuer}/auth",
        auth_token_url=f"{issuer}/token",
        jwks_url="http://lms.example.edu/jwks",
    )

    def key_set(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, json={"keys": [public_jwk(rsa_key("browser-lms"), KID)]}
        )

    monkeypatch.setattr(keys, "TRANSPORT", httpx.MockTransport(key_set))
    monkeypatch.setattr(keys, "RESOLVE", lambda host, port: ["93.184.216.34"])
    yield


class FakeLms(BaseHTTPRequestHandler):
    """The LMS's course page (Lectio in an iframe) and its authentication endpoint
    (a signed id_token, auto-posted to Lectio's launch)."""

    live_url = ""
    roles: list[str] = []
    sub = ""
    message_type = c.RESOURCE_LINK_REQUEST

    def log_message(self, *args: Any) -> None:
        pass

    def _html(self, body: str) -> None:
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path not in ("/course", "/auth"):
            self.send_error(404)
            return
        if url.path == "/course":
            login = f"{self.live_url}/lti/login?" + urlencode(
                {
                    "iss": self.issuer(),
                    "login_hint": self.sub,
                    "target_link_uri": f"{self.live_url}/lti/launch",
                    "client_id": CLIENT_ID,
                    "lti_deployment_id": DEPLOYMENT_ID,
                }
            )
            self._html(
                "<!doctype html><html lang='en'><title>LIT101 in the LMS</title>"
                "<h1>LIT101 in the LMS</h1>"
                f"<iframe title='Lectio' src='{login}' "
                f"style='width:{LMS_IFRAME['width']}px;height:700px;border:0'></iframe>"
                "</html>"
            )
            return
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        now = int(time.time())
        token = jwt.encode(
            {
                "iss": self.issuer(),
                "aud": CLIENT_ID,
                "sub": self.sub,
                "iat": now,
                "exp": now + 300,
                "nonce": query["nonce"],
                "given_name": "Bea",
                "family_name": "Browser",
                c.VERSION: "1.3.0",
                c.MESSAGE_TYPE: self.message_type,
                c.DEPLOYMENT_ID: DEPLOYMENT_ID,
                c.TARGET_LINK_URI: query["redirect_uri"],
                c.ROLES: self.roles,
                c.RESOURCE_LINK: {"id": "link-1"},
                c.DEEP_LINKING_SETTINGS: {
                    "deep_link_return_url": f"{self.issuer()}/return",
                    "accept_types": ["ltiResourceLink"],
                },
                c.CONTEXT: {"id": "ctx-1", "label": "LIT101"},
            },
            pem(rsa_key("browser-lms")),
            algorithm="RS256",
            headers={"kid": KID},
        )
        self._html(
            f"<form method='post' action='{query['redirect_uri']}'>"
            f"<input type='hidden' name='id_token' value='{token}'>"
            f"<input type='hidden' name='state' value='{query['state']}'>"
            "</form><script>document.forms[0].submit()</script>"
        )

    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture
def lms_server() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeLms)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def open_from_lms(
    page: Page,
    server: ThreadingHTTPServer,
    live_url: str,
    *,
    roles: list[str],
    sub: str,
    message_type: str = c.RESOURCE_LINK_REQUEST,
) -> None:
    FakeLms.live_url, FakeLms.roles, FakeLms.sub = live_url, roles, sub
    FakeLms.message_type = message_type
    page.goto(f"http://127.0.0.1:{server.server_address[1]}/course")


@pytest.fixture
def published(instructor: User, course: Course) -> ReadingList:
    return make_list(
        owner=instructor,
        courses=[course],
        name="Reading the Canon: core reading",
        sections=["Week 1"],
        citations=[
            {
                "title": "The Canon and Its Critics",
                "section": "Week 1",
                "status": "Complete",
            },
            {"title": "Draft Notes"},
        ],
        visibility=Visibility.COURSE,
    )


def check_frame(page: Page, path: str, axe: Axe) -> None:
    """The page in Lectio's frame: no axe violations, no horizontal scroll at the
    frame's width."""
    frame = next(f for f in page.frames if urlsplit(f.url).path.startswith(path))
    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}}
    violations = axe.run(frame, options=options).response["violations"]  # type: ignore[arg-type]
    assert violations == [], describe_violations(violations)
    assert frame.evaluate("document.documentElement.scrollWidth") <= LMS_IFRAME["width"]


def test_a_student_opens_the_course_list_inside_the_lms(
    new_page: Callable[..., Page],
    live_server: Any,
    lms: None,
    lms_server: ThreadingHTTPServer,
    published: ReadingList,
    course: Course,
    axe: Axe,
    screenshot: Callable[[Page, str], None],
) -> None:
    page = new_page(viewport={"width": 440, "height": 900})
    open_from_lms(
        page, lms_server, live_server.url, roles=[LEARNER], sub="student-in-lms"
    )
    frame = page.frame_locator("iframe[title='Lectio']")
    expect(frame.get_by_role("heading", level=1)).to_have_text(published.name)
    expect(frame.get_by_text("The Canon and Its Critics")).to_be_visible()
    expect(frame.get_by_text("Draft Notes")).to_have_count(0)
    expect(frame.get_by_role("link", name="Open in Lectio")).to_be_visible()
    user = User.objects.get(first_name="Bea")
    assert Enrolment.objects.get(user=user, course=course).role == CourseRole.STUDENT
    check_frame(page, "/lti/list/", axe)
    screenshot(page, "lti-student-list-in-lms")


def test_an_instructor_without_a_list_makes_one_inside_the_lms(
    new_page: Callable[..., Page],
    live_server: Any,
    lms: None,
    lms_server: ThreadingHTTPServer,
    course: Course,
    axe: Axe,
    screenshot: Callable[[Page, str], None],
) -> None:
    page = new_page(viewport={"width": 440, "height": 900})
    open_from_lms(
        page, lms_server, live_server.url, roles=[INSTRUCTOR], sub="teacher-in-lms"
    )
    frame = page.frame_locator("iframe[title='Lectio']")
    expect(
        frame.get_by_role("heading", name="This course has no list yet")
    ).to_be_visible()
    frame.get_by_label("Name of the new list").fill("LIT101 readings")
    frame.get_by_role("button", name="Create the list").click()
    expect(frame.get_by_role("heading", level=1)).to_have_text("LIT101 readings")
    expect(frame.get_by_role("link", name="Edit in Lectio")).to_be_visible()
    made = ReadingList.objects.get(name="LIT101 readings")
    assert list(made.courses.all()) == [course]
    frame.get_by_role("link", name="All lists of the course").click()
    expect(frame.get_by_role("heading", name="Add another list")).to_be_visible()
    check_frame(page, "/lti/course/", axe)
    screenshot(page, "lti-instructor-course-in-lms")


def test_an_instructor_picks_a_section_for_the_lms_course(
    new_page: Callable[..., Page],
    live_server: Any,
    lms: None,
    lms_server: ThreadingHTTPServer,
    published: ReadingList,
    instructor: User,
    axe: Axe,
) -> None:
    page = new_page(viewport={"width": 440, "height": 900})
    open_from_lms(
        page,
        lms_server,
        live_server.url,
        roles=[INSTRUCTOR],
        sub="teacher-2",
        message_type=c.DEEP_LINKING_REQUEST,
    )
    frame = page.frame_locator("iframe[title='Lectio']")
    expect(frame.get_by_role("heading", name="Add to your course")).to_be_visible()
    check_frame(page, "/lti/deep-link/", axe)
    frame.get_by_label("Section: Week 1").check()
    with page.expect_request(lambda r: r.url.endswith("/return")) as posted:
        frame.get_by_role("button", name="Add to the course").click()
    assert "JWT=" in (posted.value.post_data or "")
