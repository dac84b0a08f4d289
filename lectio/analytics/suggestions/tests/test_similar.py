"""The similar records follow the catalog: a load queues one recount of them once it
commits, and the recount leaves what a full refresh would, touching nothing else."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from lectio.analytics.suggestions.models import (
    CoCitation,
    ListState,
    ListWork,
    SimilarRecord,
    Work,
    WorkAlias,
)
from lectio.analytics.suggestions.refresh import (
    _enqueue_similar,
    refresh_all,
    refresh_similar,
)
from lectio.analytics.suggestions.tests.conftest import World
from lectio.catalog.demo import examples_dir
from lectio.catalog.loader import MarcOptions, load_marc
from lectio.catalog.models import Record

pytestmark = pytest.mark.django_db

# Eight history records with subject headings, several alike.
RELATED = examples_dir() / "demo-related-records.xml"


def queued() -> list[Any]:
    """The recounts of similar records this (test) transaction will queue."""
    return [
        entry
        for entry in transaction.get_connection().run_on_commit
        if entry[1] is _enqueue_similar
    ]


def similar_rows() -> set[tuple[Any, ...]]:
    return {
        (record, other, score, tuple(shared), rank)
        for record, other, score, shared, rank in SimilarRecord.objects.values_list(
            "record_id", "other_id", "score", "shared", "rank"
        )
    }


def others(*models: Any) -> list[list[tuple[Any, ...]]]:
    return [sorted(m.objects.values_list()) for m in models]


def load(path: Path, **options: Any) -> Any:
    return load_marc([path], options=MarcOptions(pipeline=False, **options))


def test_a_load_in_many_batches_queues_one_recount() -> None:
    result = load(RELATED, batch_size=2)

    assert result.counts["created"] == 8
    assert len(queued()) == 1
    before = DBTaskResult.objects.count()
    queued()[0][1]()
    assert DBTaskResult.objects.count() == before + 1


def test_a_recount_waiting_to_start_is_not_queued_again() -> None:
    load(RELATED)
    _enqueue_similar()
    before = DBTaskResult.objects.count()

    _enqueue_similar()

    assert DBTaskResult.objects.count() == before


def test_a_changed_record_queues_a_recount_and_an_unchanged_load_none(
    tmp_path: Path,
) -> None:
    load(RELATED)
    transaction.get_connection().run_on_commit.clear()
    assert load(RELATED).counts["unchanged"] == 8
    assert load(RELATED, dry_run=True).counts["unchanged"] == 8
    assert queued() == []

    edited = tmp_path / "edited.xml"
    edited.write_text(
        RELATED.read_text(encoding="utf-8").replace(
            "The great transformation", "The great divergence"
        ),
        encoding="utf-8",
    )
    result = load(edited)

    assert result.counts["updated"] == 1
    assert len(queued()) == 1


def test_the_recount_leaves_what_a_full_refresh_would(tmp_path: Path) -> None:
    load(RELATED)
    refresh_all()
    assert similar_rows()
    edited = tmp_path / "edited.xml"
    edited.write_text(
        RELATED.read_text(encoding="utf-8").replace(
            '<subfield code="a">Imperialism</subfield>',
            '<subfield code="a">Nationalism</subfield>',
        ),
        encoding="utf-8",
    )
    load(edited)
    Record.objects.create(
        control_number="sg-new",
        title="Nationalism and the making of Europe",
        subjects=["Nationalism -- History.", "Europe -- History -- 1789-1900."],
    )

    summary = refresh_similar()
    recounted = similar_rows()
    refresh_all()

    assert recounted == similar_rows()
    assert (summary.records, summary.similar) == (9, len(recounted))


def test_a_deleted_records_rows_go() -> None:
    load(RELATED)
    refresh_similar()
    gone = Record.objects.get(control_number="lectio-demo-0102")
    assert SimilarRecord.objects.filter(other=gone).exists()

    gone.delete()
    refresh_similar()
    left = similar_rows()
    refresh_all()

    assert not SimilarRecord.objects.filter(record=gone.pk).exists()
    assert not SimilarRecord.objects.filter(other=gone.pk).exists()
    assert left == similar_rows()


def test_the_recount_leaves_works_and_cocitations_alone(world: World) -> None:
    load(RELATED)
    refresh_all()
    kept = others(Work, WorkAlias, ListWork, CoCitation, ListState)
    assert CoCitation.objects.exists()
    Record.objects.filter(control_number="lectio-demo-0101").delete()

    refresh_similar()

    assert others(Work, WorkAlias, ListWork, CoCitation, ListState) == kept
    assert similar_rows()


def test_the_command_counts_only_the_similar_records() -> None:
    load(RELATED)
    out = io.StringIO()

    call_command("suggestions_refresh", "--similar", stdout=out)

    assert out.getvalue().startswith(
        f"Counted {SimilarRecord.objects.count()} similar record(s) among 8 record(s)"
    )
    assert not Work.objects.exists()
