"""The user loader: people from a CSV file, checked whole, written in one go."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lectio.accounts.loader import load_users
from lectio.accounts.models import Role, User
from lectio.core.factories import UserFactory
from lectio.core.loading import LoadOptions, run_file
from lectio.core.models import Event

pytestmark = pytest.mark.django_db

HEADER = "primary_id,username,first_name,last_name,preferred_name,email,role,status\n"


def writes(ctx: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"]
        for q in ctx.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]


def run(text: str, **options) -> object:
    return run_file("users", text.encode(), LoadOptions(**options))


def test_creates_people_with_no_usable_password():
    result = run(
        HEADER
        + "P1,ada,Ada,Lovelace,,ada@example.edu,Instructor,ACTIVE\n"
        + "P2,,Alan,Turing,Al,alan@example.edu,,\n"
    )
    assert result.rejects == []
    assert result.counts["created"] == 2
    assert result.applied
    ada = User.objects.get(primary_id="P1")
    assert (ada.username, ada.first_name, ada.role, ada.is_active) == (
        "ada",
        "Ada",
        Role.INSTRUCTOR,
        True,
    )
    assert not ada.has_usable_password()
    alan = User.objects.get(primary_id="P2")
    # No username: the primary id; no role: student.
    assert (alan.username, alan.preferred_name, alan.role) == ("P2", "Al", "student")
    assert Event.objects.filter(verb="user.load", target_id=ada.pk).count() == 1


def test_second_run_changes_nothing_and_writes_nothing():
    text = HEADER + "P1,ada,Ada,Lovelace,,ada@example.edu,instructor,ACTIVE\n"
    run(text)
    with CaptureQueriesContext(connection) as ctx:
        result = run(text)
    assert result.counts["unchanged"] == 1
    assert result.counts["created"] == result.counts["updated"] == 0
    assert writes(ctx) == []
    assert not result.applied


def test_changed_values_are_updated():
    run(HEADER + "P1,ada,Ada,Lovelace,,ada@example.edu,student,ACTIVE\n")
    result = run(HEADER + "P1,ada,Ada,King,,ada@example.edu,librarian,INACTIVE\n")
    assert result.counts["updated"] == 1
    ada = User.objects.get(primary_id="P1")
    assert (ada.last_name, ada.role, ada.is_active) == ("King", "librarian", False)


def test_empty_role_and_status_keep_what_an_existing_person_has():
    run(HEADER + "P1,ada,Ada,Lovelace,,ada@example.edu,admin,INACTIVE\n")
    result = run(HEADER + "P1,,Ada,Lovelace,,ada@example.edu,,\n")
    assert result.counts["unchanged"] == 1
    ada = User.objects.get(primary_id="P1")
    assert (ada.username, ada.role, ada.is_active) == ("ada", "admin", False)


def test_columns_missing_from_the_header_are_left_alone():
    UserFactory.create(
        username="ada", primary_id="P1", first_name="Ada", email="a@x.org"
    )
    result = run("primary_id,role\nP1,instructor\n")
    assert result.counts["updated"] == 1
    ada = User.objects.get(primary_id="P1")
    assert (ada.first_name, ada.email, ada.role) == ("Ada", "a@x.org", "instructor")


def test_a_pending_person_named_by_the_file_stops_being_pending():
    User.objects.create(username="P9", primary_id="P9", pending=True)
    result = run(HEADER + "P9,,Grace,Hopper,,grace@example.edu,instructor,\n")
    assert result.counts["updated"] == 1
    grace = User.objects.get(primary_id="P9")
    assert not grace.pending
    assert grace.first_name == "Grace"


def test_every_bad_row_is_a_numbered_readable_reject_and_nothing_is_written():
    UserFactory.create(username="taken", primary_id="OTHER", email="taken@example.edu")
    before = User.objects.count()
    result = run(
        HEADER
        + "P1,ada,Ada,Lovelace,,ada@example.edu,student,\n"  # line 2: good
        + "P1,ada2,Ada,Again,,ada2@example.edu,student,\n"  # 3: duplicate id
        + "P3,taken,Tom,Taken,,t@example.edu,student,\n"  # 4: username clash
        + "P4,p4,Pat,Mail,,TAKEN@example.edu,student,\n"  # 5: e-mail clash
        + "P5,p5,Bad,Mail,,not-an-address,student,\n"  # 6: bad e-mail
        + "P6,p6,Role,Less,,r@example.edu,Faculty,\n"  # 7: unknown role
        + f"P7,p7,{'x' * 151},Long,,l@example.edu,student,\n"  # 8: too long
        + ",p8,No,Id,,n@example.edu,student,\n"  # 9: no primary id
        + "P10,p10,Stat,Us,,s@example.edu,student,GONE\n"  # 10: bad status
        + "P11,has space,Sp,Ace,,sp@example.edu,student,\n"  # 11: bad username
        + "P12,ada,Ada,Twin,,twin@example.edu,student,\n"  # 12: username again
    )
    reasons = {r.line: r.reason for r in result.rejects}
    assert reasons == {
        3: "primary id P1 appears already on line 2",
        4: "username taken belongs to another user (OTHER)",
        5: "email taken@example.edu belongs to another user (OTHER)",
        6: "email 'not-an-address' is not an e-mail address",
        7: "unknown role 'Faculty'; one of student, instructor, librarian, admin "
        "is expected",
        8: "first_name is longer than 150 characters",
        9: "primary_id is empty",
        10: "unknown status 'GONE'; ACTIVE or INACTIVE is expected",
        11: "username 'has space' may hold only letters, digits and @ . + - _",
        12: "username ada is given on line 2 too",
    }
    assert str(result.rejects[0]).startswith("line 3 (P1): ")
    assert not result.applied
    assert User.objects.count() == before


def test_valid_only_writes_the_good_rows():
    result = run(
        HEADER
        + "P1,ada,Ada,Lovelace,,ada@example.edu,student,\n"
        + "P2,bob,Bob,Bad,,bob@example.edu,wizard,\n",
        mode="valid_only",
    )
    assert [r.line for r in result.rejects] == [3]
    assert result.applied
    assert list(User.objects.values_list("primary_id", flat=True)) == ["P1"]


def test_dry_run_counts_and_writes_nothing():
    with CaptureQueriesContext(connection) as ctx:
        result = run(HEADER + "P1,ada,Ada,L,,ada@example.edu,student,\n", dry_run=True)
    assert result.counts["created"] == 1
    assert not result.applied
    assert writes(ctx) == []
    assert not User.objects.exists()


def test_bom_and_crlf_are_read():
    data = ("\ufeff" + HEADER + "P1,ada,Ada,L,,ada@example.edu,student,\n").replace(
        "\n", "\r\n"
    )
    result = load_users(data.encode(), LoadOptions())
    assert result.rejects == []
    assert User.objects.get(primary_id="P1").username == "ada"


def test_a_semicolon_file_is_refused_naming_the_delimiter():
    result = run("primary_id;username;role\nP1;ada;student\n")
    assert [str(r) for r in result.rejects] == [
        "line 1: no comma in the header; the file looks semicolon-separated, "
        "and this loader reads comma-separated files"
    ]
    assert not User.objects.exists()


def test_unknown_columns_refuse_the_file():
    result = run("primary_id,shoe_size\nP1,42\n")
    assert [str(r) for r in result.rejects] == ["line 1: unknown column shoe_size"]


def test_command_prints_counts_and_exits_non_zero_on_rejects(tmp_path: Path, capsys):
    good = tmp_path / "users.csv"
    good.write_text(HEADER + "P1,ada,Ada,L,,ada@example.edu,student,\n")
    call_command("load_users", str(good))
    assert "created 1, updated 0, unchanged 0" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "P2,bob,Bob,B,,bob@example.edu,wizard,\n")
    with pytest.raises(SystemExit) as exit_info:
        call_command("load_users", str(bad))
    assert exit_info.value.code == 1
    report = (tmp_path / "bad.csv.rejects.txt").read_text()
    assert report.startswith("line 2 (P2): unknown role 'wizard'")
