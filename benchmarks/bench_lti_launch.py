"""An LTI launch, in this process through Django's test client: the OIDC login, the
launch (token checks, account, enrolment, session) and the landing page (the course's
one list, BENCH-300, in the embedded layout).

The product figure: under 150 ms server time, median, excluding the platform's own
time (signing the id_token is done between the timed requests). Each launch brings
the course's names-and-roles claim, as platforms with roster sync send it; the
roster was read moments ago (the usual case), so the launch only checks that. The platform's key
set is served from memory through the guarded client's transport, and cached after
the first launch, as in production.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from benchmarks.data import bench_list, bench_student, healthz_path
from benchmarks.harness import Benchmark, Figures, Options, Result, Skip

ISSUER = "https://bench-lms.invalid"
CLIENT_ID = "bench-client"
DEPLOYMENT_ID = "bench-deployment"
KID = "bench-key"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
MEMBERSHIPS = f"{ISSUER}/nrps/bench-context"


@dataclass
class Context:
    client: Client
    private_pem: bytes
    platform: Any
    course_label: str
    sub: str
    saved: tuple[Any, Any]


def _client() -> Client:
    hosts = [h for h in settings.ALLOWED_HOSTS if h not in ("*", "")]
    extra: dict[str, Any] = {}
    if "testserver" not in hosts and "*" not in settings.ALLOWED_HOSTS and hosts:
        extra["HTTP_HOST"] = hosts[0].lstrip(".")
    return Client(**extra)


def _setup() -> Context:
    try:
        from lectio.lti import keys
        from lectio.lti.models import Deployment, Platform, PlatformUser, RosterLink
    except ImportError:
        raise Skip("the LTI app is not there") from None
    reading_list = bench_list("BENCH-300")
    course = reading_list.courses.first()
    if course is None:
        raise Skip("BENCH-300 has no course")
    student = bench_student()
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key()))
    jwk.update({"kid": KID, "alg": "RS256", "use": "sig"})
    Platform.objects.filter(issuer=ISSUER).delete()
    platform = Platform.objects.create(
        name="Benchmark LMS",
        issuer=ISSUER,
        client_id=CLIENT_ID,
        auth_login_url=f"{ISSUER}/auth",
        auth_token_url=f"{ISSUER}/token",
        jwks_url=f"{ISSUER}/jwks",
    )
    Deployment.objects.create(platform=platform, deployment_id=DEPLOYMENT_ID)
    # The benchmark student is the LMS user: no account is made per launch.
    sub = "bench-" + secrets.token_hex(4)
    PlatformUser.objects.create(platform=platform, sub=sub, user=student)
    RosterLink.objects.create(
        platform=platform,
        course=course,
        context_id="bench-context",
        memberships_url=MEMBERSHIPS,
        synced_at=timezone.now(),
    )
    saved = (keys.TRANSPORT, keys.RESOLVE)
    keys.TRANSPORT = httpx.MockTransport(
        lambda request: httpx.Response(200, json={"keys": [jwk]})
    )
    keys.RESOLVE = lambda host, port: ["93.184.216.34"]
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return Context(_client(), pem, platform, course.label, sub, saved)


def _teardown(context: Context) -> None:
    from lectio.lti import keys
    from lectio.lti.models import UsedNonce

    keys.TRANSPORT, keys.RESOLVE = context.saved
    UsedNonce.objects.filter(issuer=ISSUER).delete()
    context.platform.delete()
    context.client.logout()


def _token(context: Context, nonce: str) -> str:
    now = int(time.time())
    lti = "https://purl.imsglobal.org/spec/lti/claim/"
    return jwt.encode(
        {
            "iss": ISSUER,
            "aud": CLIENT_ID,
            "sub": context.sub,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            lti + "version": "1.3.0",
            lti + "message_type": "LtiResourceLinkRequest",
            lti + "deployment_id": DEPLOYMENT_ID,
            lti + "roles": [LEARNER],
            lti + "resource_link": {"id": "bench-link"},
            lti + "context": {"id": "bench-context", "label": context.course_label},
            "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice": {
                "context_memberships_url": MEMBERSHIPS,
                "service_versions": ["2.0"],
            },
        },
        context.private_pem,
        algorithm="RS256",
        headers={"kid": KID},
    )


def _launch(context: Context) -> float:
    """One launch; returns the server's time in seconds (the platform's excluded)."""
    client = context.client
    clock = time.perf_counter
    started = clock()
    login = client.post(
        "/lti/login",
        {
            "iss": ISSUER,
            "login_hint": "bench",
            "target_link_uri": "https://lectio.invalid/lti/launch",
            "client_id": CLIENT_ID,
            "lti_deployment_id": DEPLOYMENT_ID,
        },
    )
    server = clock() - started
    if login.status_code != 302:
        raise RuntimeError(f"/lti/login answered {login.status_code}")
    query = parse_qs(urlsplit(login["Location"]).query)
    token = _token(context, query["nonce"][0])
    started = clock()
    response = client.post(
        "/lti/launch", {"id_token": token, "state": query["state"][0]}
    )
    hops = 0
    while response.status_code in (302, 303) and hops < 3:
        response = client.get(response["Location"])
        hops += 1
    server += clock() - started
    if response.status_code != 200:
        raise RuntimeError(f"the launch ended with {response.status_code}")
    return server


def run(options: Options) -> list[Result]:
    context = _setup()
    try:
        for _ in range(options.warmup):
            _launch(context)
        measured: list[float] = []
        baseline: list[float] = []
        healthz = healthz_path()
        for _ in range(options.repeat):
            measured.append(_launch(context))
            started = time.perf_counter()
            context.client.get(healthz)
            baseline.append(time.perf_counter() - started)
        with CaptureQueriesContext(connection) as queries:
            _launch(context)
        extra = {
            "queries": len(queries.captured_queries),
            "course": context.course_label,
        }
    finally:
        _teardown(context)
    figures, base = Figures.from_seconds(measured), Figures.from_seconds(baseline)
    return [
        Result(
            "lti_launch",
            "LTI login + launch + landing (BENCH-300 embedded), server time, in process",
            "ok",
            measured=figures,
            baseline=base,
            baseline_label="GET /healthz",
            ratio=figures.median_ms / base.median_ms if base.median_ms else None,
            extra=extra,
            max_ms=150.0,
        )
    ]


BENCHMARKS = [
    Benchmark(
        name="lti_launch",
        description="LTI login + launch + landing page, server time, median",
        run=run,
    )
]
