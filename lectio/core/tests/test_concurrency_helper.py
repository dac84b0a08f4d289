"""Optimistic locking: update_if_version writes only over the version it was given."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from lectio.core.concurrency import StaleVersion, update_if_version
from lectio.core.factories import UserFactory, make_list
from lectio.lists.models import ReadingList


@pytest.fixture
def owner(db):
    return UserFactory.create(username="owner")


@pytest.fixture
def a_list(owner):
    return make_list(owner=owner, name="Original")


def test_matching_version_writes_fields_and_bumps_version(a_list):
    update_if_version(a_list, expected_version=1, fields={"name": "Renamed"})

    assert (a_list.name, a_list.version) == ("Renamed", 2)
    stored = ReadingList.objects.get(pk=a_list.pk)
    assert (stored.name, stored.version) == ("Renamed", 2)


def test_successive_edits_each_bump_the_version(a_list):
    update_if_version(a_list, expected_version=1, fields={"name": "One"})
    update_if_version(a_list, expected_version=2, fields={"name": "Two"})

    assert ReadingList.objects.values_list("name", "version").get(pk=a_list.pk) == (
        "Two",
        3,
    )


def test_stale_version_raises_with_current_version_and_writes_nothing(a_list):
    stale_copy = ReadingList.objects.get(pk=a_list.pk)  # a second browser's copy
    update_if_version(a_list, expected_version=1, fields={"name": "First save"})

    with pytest.raises(StaleVersion) as info:
        update_if_version(stale_copy, expected_version=1, fields={"name": "Lost"})

    assert info.value.current_version == 2
    assert str(info.value) == (
        "Someone else changed this while you were editing it (now version 2). "
        "Reload to see their change, then make yours again."
    )
    stored = ReadingList.objects.get(pk=a_list.pk)
    assert (stored.name, stored.version) == ("First save", 2)
    assert stale_copy.name == "Original"  # the in-memory copy is left alone too


def test_future_version_is_refused(a_list):
    with pytest.raises(StaleVersion) as info:
        update_if_version(a_list, expected_version=7, fields={"name": "Nope"})

    assert info.value.current_version == 1
    assert ReadingList.objects.values_list("name", "version").get(pk=a_list.pk) == (
        "Original",
        1,
    )


def test_deleted_row_is_stale_with_no_current_version(a_list):
    ReadingList.objects.filter(pk=a_list.pk).delete()

    with pytest.raises(StaleVersion) as info:
        update_if_version(a_list, expected_version=1, fields={"name": "Ghost"})

    assert info.value.current_version is None


def test_one_query_on_success(a_list, django_assert_num_queries):
    with django_assert_num_queries(1):
        update_if_version(a_list, expected_version=1, fields={"name": "Cheap"})


@pytest.mark.django_db(transaction=True)
def test_concurrent_editors_of_one_version_exactly_one_wins():
    owner = UserFactory.create(username="racer")
    reading_list = make_list(owner=owner, name="Contested")
    barrier = threading.Barrier(6)
    outcomes: list[str] = []
    lock = threading.Lock()

    def edit(n: int) -> None:
        copy = ReadingList.objects.get(pk=reading_list.pk)
        barrier.wait()
        try:
            update_if_version(copy, expected_version=1, fields={"name": f"Edit {n}"})
            result = "saved"
        except StaleVersion as error:
            result = f"stale {error.current_version}"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=edit, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["saved"] + ["stale 2"] * 5
    assert ReadingList.objects.get(pk=reading_list.pk).version == 2
