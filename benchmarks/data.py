"""Finding what `lectio generate-data` made for the benchmarks."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.test import Client
from django.urls import NoReverseMatch, reverse

from benchmarks.harness import Skip
from lectio.accounts.models import User
from lectio.core.generate import BENCH_STUDENT
from lectio.lists.models import ReadingList


def bench_list(code: str) -> ReadingList:
    reading_list = ReadingList.objects.filter(code=code).first()
    if reading_list is None:
        raise Skip(f"no list {code} in this database: run `lectio generate-data` first")
    return reading_list


def bench_student() -> User:
    user = User.objects.filter(username=BENCH_STUDENT).first()
    if user is None:
        raise Skip(f"no user {BENCH_STUDENT}: run `lectio generate-data` first")
    return user


def student_view_path(reading_list: ReadingList) -> str:
    try:
        return reverse("lists:detail", args=[reading_list.pk])
    except NoReverseMatch:
        raise Skip("the student view (lists:detail) does not exist yet") from None


def healthz_path() -> str:
    try:
        return reverse("healthz")
    except NoReverseMatch:
        return "/healthz"


def client_for(user: User) -> Client:
    """The test client, logged in; it talks to a host the settings allow."""
    hosts = [h for h in settings.ALLOWED_HOSTS if h not in ("*", "")]
    extra: dict[str, Any] = {}
    if "testserver" not in hosts and "*" not in settings.ALLOWED_HOSTS and hosts:
        extra["HTTP_HOST"] = hosts[0].lstrip(".")
    client = Client(**extra)
    client.force_login(user)
    return client


def check_get(client: Client, path: str) -> Any:
    response = client.get(path)
    if response.status_code != 200:
        raise Skip(f"GET {path} answered {response.status_code}, not 200")
    return response
