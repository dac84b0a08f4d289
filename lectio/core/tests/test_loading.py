"""The loader framework (lectio.core.loading) and the shape of `lectio load-*`
commands (lectio.core.management.loader_command)."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from lectio.core import loading
from lectio.core.loading import (
    FileRejected,
    LoadOptions,
    LoadResult,
    Reject,
    Throttle,
    check_size,
    decode,
    parse_date,
    parse_int,
    read_dicts,
    read_rows,
    run_file,
    split_multi,
)
from lectio.core.management.loader_command import LoaderCommand

# --- decode and size -----------------------------------------------------------------


def test_decode_reads_utf8_with_and_without_a_bom() -> None:
    assert decode("a\tb\né\n".encode()) == "a\tb\né\n"
    assert decode(b"\xef\xbb\xbfa\tb\n") == "a\tb\n"


@pytest.mark.parametrize(
    ("data", "reason", "line"),
    [
        ("ab".encode("utf-16"), "the file is UTF-16; save it as UTF-8", 0),
        (b"\x00\x01\x02binary", "this is not a text file", 0),
        (
            b"ok\nfine\ncaf\xe9\n",
            "the file is not UTF-8 (byte 12); save it as UTF-8",
            3,
        ),
    ],
)
def test_decode_refuses_what_is_not_utf8_text(
    data: bytes, reason: str, line: int
) -> None:
    with pytest.raises(FileRejected) as info:
        decode(data)

    assert (info.value.reason, info.value.line) == (reason, line)


def test_a_file_over_the_limit_is_refused_naming_both_sizes(settings: Any) -> None:
    settings.LECTIO_LOADER_MAX_BYTES = 1_048_576
    check_size(1_048_576)

    with pytest.raises(FileRejected) as info:
        check_size(100 * 1_048_576)

    assert info.value.reason == (
        "the file is 100 MB; files up to 1 MB are accepted (split it into smaller "
        "files)"
    )
    with pytest.raises(FileRejected):
        decode(b"x" * (1_048_576 + 1))


def test_the_default_limit_is_the_setting() -> None:
    from django.conf import settings

    assert loading.max_file_bytes() == settings.LECTIO_LOADER_MAX_BYTES


# --- rows ----------------------------------------------------------------------------


@pytest.mark.parametrize("eol", ["\n", "\r\n", "\r"])
def test_read_rows_numbers_lines_whatever_the_line_ends(eol: str) -> None:
    text = eol.join(["h1\th2", "a\tb", "", "c\td"]) + eol

    assert list(read_rows(text, delimiter="\t")) == [
        (1, ["h1", "h2"]),
        (2, ["a", "b"]),
        (4, ["c", "d"]),
    ]


def test_a_quoted_cell_may_hold_the_delimiter_and_a_line_break() -> None:
    text = 'h1,h2\n"a, b","two\nlines"\nc,d\n'

    assert list(read_rows(text, delimiter=",")) == [
        (1, ["h1", "h2"]),
        (2, ["a, b", "two\nlines"]),
        (4, ["c", "d"]),
    ]


def test_unquoted_files_keep_quote_marks() -> None:
    text = 'h1\th2\n"Hamlet" revisited\tx\n'

    assert list(read_rows(text, delimiter="\t", quoted=False))[1] == (
        2,
        ['"Hamlet" revisited', "x"],
    )


@pytest.mark.parametrize("eol", ["\n", "\r\n", "\r"])
def test_unquoted_rows_are_read_as_the_csv_module_reads_them(eol: str) -> None:
    text = eol.join(["h1\th2", ' a \t"b', "\t \t", "", "c\td\t"]) + eol

    assert list(read_rows(text, delimiter="\t", quoted=False)) == [
        (1, ["h1", "h2"]),
        (2, [" a ", '"b']),
        (5, ["c", "d", ""]),
    ]


@pytest.mark.parametrize("odd", ["\x0c", "\x1e", "\x85", "\u2028"])
def test_a_character_str_splitlines_would_break_on_stays_in_its_cell(
    odd: str,
) -> None:
    """Only CR and LF end a line, as in the csv module."""
    text = f"h1\th2\na{odd}b\tc\n"

    assert list(read_rows(text, delimiter="\t", quoted=False)) == [
        (1, ["h1", "h2"]),
        (2, [f"a{odd}b", "c"]),
    ]


def test_an_unquoted_cell_over_the_csv_limit_is_refused_with_its_line() -> None:
    big = "x" * 200_000
    text = f"h1\th2\na\tb\n{big}\tc\n"

    with pytest.raises(FileRejected) as info:
        list(read_rows(text, delimiter="\t", quoted=False))

    assert info.value.line == 3
    assert "cannot read the file" in info.value.reason


@pytest.mark.parametrize(
    ("header", "found"),
    [("a,b,c", "comma"), ("a;b;c", "semicolon"), ("a|b|c", "pipe")],
)
def test_a_header_in_another_delimiter_is_named(header: str, found: str) -> None:
    with pytest.raises(FileRejected) as info:
        list(read_rows(header + "\n1,2,3\n", delimiter="\t"))

    assert info.value.line == 1
    assert info.value.reason == (
        f"no tab in the header; the file looks {found}-separated, and this loader "
        "reads tab-separated files"
    )


def test_read_dicts_maps_cells_to_normalised_column_names() -> None:
    header, rows = read_dicts(
        "Primary ID, First Name ,EMAIL\n u1 ,Ann,\n\nu2,Bo,bo@x.edu\n",
        result=LoadResult(),
        required=["primary_id"],
    )

    assert header == ["primary_id", "first_name", "email"]
    assert list(rows) == [
        (2, {"primary_id": "u1", "first_name": "Ann", "email": ""}),
        (4, {"primary_id": "u2", "first_name": "Bo", "email": "bo@x.edu"}),
    ]


def test_read_dicts_pads_short_rows_and_rejects_long_ones() -> None:
    result = LoadResult()
    _header, rows = read_dicts("a,b\n1\n1,2,3\n1,2,\n", result=result)

    assert list(rows) == [
        (2, {"a": "1", "b": ""}),
        (4, {"a": "1", "b": "2"}),
    ]
    assert result.rejects == [
        Reject(
            3, "the row has 3 cells and the header 2; a value with a comma needs quotes"
        )
    ]


@pytest.mark.parametrize(
    ("text", "kwargs", "reason"),
    [
        ("", {}, "the file is empty"),
        ("a,b\n", {"required": ["a", "c", "d"]}, "the header lacks the columns c, d"),
        ("a,b\n", {"required": ["c"]}, "the header lacks the column c"),
        ("a,x\n", {"known": ["a", "b"]}, "unknown column x"),
        ("a,a\n", {}, "the header repeats a"),
    ],
)
def test_read_dicts_refuses_a_bad_header(
    text: str, kwargs: dict[str, Any], reason: str
) -> None:
    with pytest.raises(FileRejected) as info:
        read_dicts(text, result=LoadResult(), **kwargs)

    assert info.value.reason == reason


# --- values --------------------------------------------------------------------------


def test_split_multi() -> None:
    assert split_multi(" a, b;c,,a , ") == ["a", "b", "c"]
    assert split_multi("") == []


def test_parse_date_in_the_given_format() -> None:
    assert parse_date("01/09/2026", "%d/%m/%Y") == datetime.date(2026, 9, 1)
    assert parse_date("  ", "%Y-%m-%d") is None
    with pytest.raises(ValueError) as info:
        parse_date("2026-13-01", "%Y-%m-%d")
    assert str(info.value) == (
        "'2026-13-01' is not a date in the format %Y-%m-%d (for example 2026-09-01)"
    )


def test_parse_int() -> None:
    assert parse_int(" 42 ", "year") == 42
    assert parse_int("", "year") is None
    with pytest.raises(ValueError, match="year 'x1' is not a whole number"):
        parse_int("x1", "year")
    with pytest.raises(ValueError, match="year -3 is negative"):
        parse_int("-3", "year")


# --- results and progress ------------------------------------------------------------


def test_a_result_summarises_counts_and_rejects_in_line_order() -> None:
    result = LoadResult()
    result.counts.update({"created": 2, "unchanged": 5, "pending_users": 1})
    result.reject(7, "YEAR 'x' is not a whole number", "C1-01")
    result.reject(0, "something about the file")
    result.reject(3, "duplicate of line 2")

    assert result.summary() == (
        "created 2, updated 0, unchanged 5, deleted 0, rolled over 0, "
        "pending users 1, rejected 3 (nothing was changed)"
    )
    assert result.report_text() == (
        "file: something about the file\n"
        "line 3: duplicate of line 2\n"
        "line 7 (C1-01): YEAR 'x' is not a whole number\n"
    )
    assert result.counts_dict() == {
        "created": 2,
        "unchanged": 5,
        "pending_users": 1,
        "rejected": 3,
    }
    assert not result.ok
    result.applied = True
    assert result.summary().endswith("rejected 3")


def test_a_reject_as_a_dict() -> None:
    assert Reject(4, "bad", "K").as_dict() == {"line": 4, "key": "K", "reason": "bad"}


def test_throttle_reports_the_first_and_last_call_and_few_in_between(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    now = [100.0]
    monkeypatch.setattr(loading.time, "monotonic", lambda: now[0])
    seen: list[tuple[int, int]] = []
    throttle = Throttle(lambda done, total: seen.append((done, total)), 10, seconds=1)

    for done in range(1, 11):
        now[0] += 0.3
        throttle(done)

    assert seen == [(1, 10), (5, 10), (9, 10), (10, 10)]


# --- the registry and run_file ---------------------------------------------------------


def fake_load(data: bytes, options: LoadOptions) -> LoadResult:
    """A loader for these tests: counts lines, refuses a file that says so."""
    text = decode(data)
    if text.startswith("refuse"):
        raise FileRejected("refused as asked", line=1)
    result = LoadResult()
    for number, line in enumerate(text.splitlines(), start=1):
        if line == "bad":
            result.reject(number, "a bad line")
        else:
            result.counts["created"] += 1
    result.applied = not options.dry_run and (
        options.mode == "valid_only" or not result.rejects
    )
    FAKE_CALLS.append(options)
    return result


FAKE_CALLS: list[LoadOptions] = []


@pytest.fixture
def fake_kind(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setitem(loading.LOADERS, "fake", f"{__name__}.fake_load")
    FAKE_CALLS.clear()
    return "fake"


def test_every_loader_named_in_the_registry_is_importable_when_written() -> None:
    import importlib.util

    for kind, dotted in loading.LOADERS.items():
        module, _dot, name = dotted.rpartition(".")
        if importlib.util.find_spec(module) is None:
            continue  # another part of the work, not written yet
        assert callable(loading.loader(kind))


def test_an_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown loader 'nope'"):
        loading.loader("nope")


def test_run_file_turns_an_unreadable_file_into_one_reject(fake_kind: str) -> None:
    result = run_file(fake_kind, b"refuse me", LoadOptions())

    assert [(r.line, r.reason) for r in result.rejects] == [(1, "refused as asked")]
    assert result.applied is False


# --- the command shape -----------------------------------------------------------------


class FakeCommand(LoaderCommand):
    kind = "fake"
    what = "things"


def test_command_prints_counts_and_passes_its_options(
    fake_kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "things.csv"
    path.write_text("a\nb\n")

    call_command(
        FakeCommand(), str(path), "--dry-run", "--valid-only", "--date-format", "%d.%m"
    )

    assert capsys.readouterr().out.strip() == (
        "created 2, updated 0, unchanged 0, deleted 0, rolled over 0, rejected 0"
    )
    options = FAKE_CALLS[-1]
    assert (options.mode, options.dry_run, options.date_format, options.file_name) == (
        "valid_only",
        True,
        "%d.%m",
        "things.csv",
    )


def test_command_exits_one_and_writes_the_reject_report(
    fake_kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "things.csv"
    path.write_text("a\nbad\nbad\n")

    with pytest.raises(SystemExit) as info:
        call_command(FakeCommand(), str(path))

    assert info.value.code == 1
    assert (tmp_path / "things.csv.rejects.txt").read_text() == (
        "line 2: a bad line\nline 3: a bad line\n"
    )
    err = capsys.readouterr().err
    assert "line 2: a bad line" in err
    assert "reject report: " in err


def test_command_names_a_missing_file(fake_kind: str, tmp_path: Path) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No such file"):
        call_command(FakeCommand(), str(tmp_path / "absent.csv"))


def test_command_refuses_a_big_file_without_reading_it(
    fake_kind: str, tmp_path: Path, settings: Any
) -> None:
    settings.LECTIO_LOADER_MAX_BYTES = 1_048_576
    path = tmp_path / "big.csv"
    with path.open("wb") as handle:
        handle.truncate(100 * 1_048_576)  # sparse: no disk used

    with pytest.raises(SystemExit):
        call_command(FakeCommand(), str(path), "--report", str(tmp_path / "r.txt"))

    assert FAKE_CALLS == []
    assert (tmp_path / "r.txt").read_text().startswith("file: the file is 100 MB")
