"""`lectio import-citations` and `lectio export-list`."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from lectio.citations.tests.test_imports import RIS
from lectio.lists.models import Citation, ReadingList


def _run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
    except SystemExit as exit_:
        return int(exit_.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


@pytest.fixture
def ris_file(tmp_path: Path) -> Path:
    path = tmp_path / "mine.ris"
    path.write_bytes(RIS)
    return path


def test_dry_run_json_prints_the_citations_and_errors_and_saves_nothing(
    ris_file: Path, snapshot: Any
) -> None:
    before = snapshot()

    code, out, _err = _run("import_citations", str(ris_file), "--dry-run", "--json")

    body = json.loads(out)
    assert code == 1  # an entry failed
    assert [(e["material_type"], e["csl"]["title"]) for e in body["entries"]] == [
        ("book", "Teaching to Transgress"),
        ("article", "When We Dead Awaken"),
        ("book_chapter", "Secular Criticism"),
    ]
    assert body["entries"][1]["csl"]["DOI"] == "10.2307/375215"
    assert body["errors"] == [
        {"entry": 3, "line": 21, "reason": "the entry has no title"}
    ]
    assert snapshot() == before


@pytest.mark.django_db
def test_a_clean_file_exits_zero(tmp_path: Path) -> None:
    path = tmp_path / "ok.bib"
    path.write_text("@book{a, title={Ways of Seeing}, year=1972}\n")

    code, out, _err = _run("import_citations", str(path), "--dry-run", "--json")

    assert code == 0
    assert json.loads(out)["entries"][0]["csl"]["title"] == "Ways of Seeing"


def test_failed_entries_import_nothing_unless_valid_only(
    ris_file: Path, reading_list: ReadingList, snapshot: Any
) -> None:
    before = snapshot()

    code, _out, err = _run(
        "import_citations", str(ris_file), "--list", reading_list.code
    )

    assert code == 1
    assert "entry 3 (line 21): the entry has no title" in err
    assert snapshot() == before

    code, out, _err = _run(
        "import_citations",
        str(ris_file),
        "--list",
        reading_list.code,
        "--section",
        "Week 1",
        "--valid-only",
        "--user",
        "instructor",
    )

    assert code == 1
    assert "imported 3 into" in out
    assert list(
        Citation.objects.filter(section__name="Week 1")
        .order_by("position")
        .values_list("title", flat=True)
    )[2:] == ["Teaching to Transgress", "When We Dead Awaken", "Secular Criticism"]


@pytest.mark.django_db
def test_a_bad_file_exits_non_zero(tmp_path: Path) -> None:
    path = tmp_path / "garbage.bin"
    path.write_bytes(bytes(range(256)) * 100)

    code, out, _err = _run("import_citations", str(path), "--dry-run", "--json")

    assert code == 1
    assert [e["entry"] for e in json.loads(out)["errors"]] == [0]


def test_unknown_list_section_or_file_is_an_error(
    ris_file: Path, reading_list: ReadingList
) -> None:
    with pytest.raises(CommandError, match="No list"):
        call_command("import_citations", str(ris_file), "--list", "NOPE")
    with pytest.raises(CommandError, match="no section"):
        call_command(
            "import_citations",
            str(ris_file),
            "--list",
            reading_list.code,
            "--section",
            "Week 9",
        )
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_citations", "/nonexistent/file.ris", "--dry-run")
    with pytest.raises(CommandError, match="--list"):
        call_command("import_citations", str(ris_file))


def test_export_list_writes_each_format(
    reading_list: ReadingList, tmp_path: Path
) -> None:
    for format, start in (
        ("ris", b"TY  - "),
        ("bibtex", b"@"),
        ("csl-json", b"["),
        ("csv", b"\xef\xbb\xbf"),
        ("html", b"<!DOCTYPE html>"),
        ("docx", b"PK"),
        ("pdf", b"%PDF-"),
    ):
        target = tmp_path / f"out.{format}"
        call_command(
            "export_list",
            reading_list.code,
            "--format",
            format,
            "--style",
            "ieee",
            "-o",
            str(target),
            stderr=io.StringIO(),
        )
        assert target.read_bytes().startswith(start), format


def test_export_list_of_a_section(reading_list: ReadingList, tmp_path: Path) -> None:
    target = tmp_path / "week1.ris"

    call_command(
        "export_list",
        reading_list.code,
        "--format",
        "ris",
        "--section",
        "Week 1",
        "-o",
        str(target),
        stderr=io.StringIO(),
    )

    text = target.read_text()
    assert text.count("TY  - ") == 2
    assert "The Canon and Its Critics" in text


@pytest.mark.django_db
def test_export_list_refuses_an_unknown_list() -> None:
    with pytest.raises(CommandError, match="No list"):
        call_command("export_list", "NOPE", "--format", "ris")


@pytest.mark.django_db
def test_a_file_over_the_cap_is_not_read(tmp_path: Path, settings: Any) -> None:
    settings.LECTIO_IMPORT_MAX_BYTES = 10
    path = tmp_path / "big.ris"
    path.write_bytes(RIS)

    code, out, _err = _run("import_citations", str(path), "--dry-run", "--json")

    assert code == 1
    assert json.loads(out)["errors"] == [
        {
            "entry": 0,
            "line": 0,
            "reason": f"The file has {len(RIS):,} bytes; files up to 10 are read.",
        }
    ]
