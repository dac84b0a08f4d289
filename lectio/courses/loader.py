"""The course loader: Alma's course-loader file (tab-separated, a header row, 34
columns) into courses, their terms, campuses and instructors.

The whole file is read and checked first; every bad row becomes a reject naming its
line. The database is then read in a few bulk queries (courses by key, their terms,
instructor enrolments, campuses), the file is compared with it in Python, and only
the differences are written, in bulk and in plain SQL (COPY on PostgreSQL; on
SQLite a few hundred rows to an INSERT, or one JSON array for the instructor
enrolments): the ORM's per-object cost would dominate a 50,000-course file. New
courses take their ids from the table's sequence first, so their links are made
without reading the courses back. Running the same file again finds no difference
and writes nothing.

Row operations (OPERATION column): empty creates or updates the course; DELETE
deletes it (its lists stay, no longer attached to it); ROLLOVER creates or updates
the course, then rolls the lists of OLD_COURSE_CODE / OLD_COURSE_SECTION over to it
(never twice to the same course).
"""

from __future__ import annotations

import datetime
import gc
import json
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from lectio.accounts.models import InstitutionSettings, LoaderUnknown, Role, User
from lectio.core.bulksql import BulkSql
from lectio.core.events import event_record
from lectio.core.loading import (
    FileRejected,
    LoadOptions,
    LoadResult,
    Throttle,
    decode,
    read_rows,
    split_multi,
)
from lectio.courses.models import (
    Campus,
    Course,
    CourseCampus,
    CourseRole,
    CourseStatus,
    Department,
    Enrolment,
    Term,
)

COLUMNS: tuple[str, ...] = (
    "COURSE_CODE",
    "COURSE_TITLE",
    "SECTION_ID",
    "ACAD_DEPT",
    "PROC_DEPT",
    "TERM1",
    "TERM2",
    "TERM3",
    "TERM4",
    "START_DATE",
    "END_DATE",
    "NUM_OF_PARTICIPANTS",
    "WEEKLY_HOURS",
    "YEAR",
    "SEARCH_ID1",
    "SEARCH_ID2",
    "MULTI_SEARCH_ID",
    *(f"INSTR{i}" for i in range(1, 11)),
    "ALL_INSTRUCTORS",
    "OPERATION",
    "OLD_COURSE_CODE",
    "OLD_COURSE_SECTION",
    "SUBMIT_LISTS_BY",
    "CAMPUS_AND_PARTICIPANTS",
    "READING_LIST_NAME",
)
WIDTH = len(COLUMNS)
# Other names seen in institutions' headers for the same column.
ALIASES = {"MULTI_INST": "ALL_INSTRUCTORS", "COURSE_NAME": "COURSE_TITLE"}

OPERATIONS = ("", "DELETE", "ROLLOVER")
MAX_INT = 2_147_483_647
CODE_MAX = 50  # departments, terms, campuses
KEY_MAX = 100  # course code and section, primary ids
NAME_MAX = 300

Key = tuple[str, str]
# Plain strings: the drivers bind them faster than the choices' enum members.
INSTRUCTOR: str = CourseRole.INSTRUCTOR.value
ACTIVE: str = CourseStatus.ACTIVE.value


@dataclass(slots=True)
class Row:
    """One valid line of the file, with codes still as text."""

    line: int
    code: str
    section: str
    key: Key
    operation: str
    name: str = ""
    acad: str = ""
    proc: str = ""
    terms: list[str] = field(default_factory=list)
    start: datetime.date | None = None
    end: datetime.date | None = None
    participants: int = 0
    weekly_hours: int = 0
    year: int | None = None
    search_ids: list[str] = field(default_factory=list)
    instructors: list[str] = field(default_factory=list)
    old: Key | None = None
    submit_by: datetime.date | None = None
    campuses: list[tuple[str, int]] = field(default_factory=list)
    list_name: str = ""


def label(key: Key) -> str:
    return f"{key[0]}-{key[1]}" if key[1] else key[0]


def load(data: bytes, options: LoadOptions) -> LoadResult:
    result = LoadResult()
    # A big file makes hundreds of thousands of small objects that all live until
    # the end; the cyclic collector would scan them again and again (a third of the
    # time of a 50,000-course file). None of them form cycles.
    collecting = gc.isenabled()
    gc.disable()
    try:
        try:
            text = decode(data)
            rows = _parse(text, options, result)
        except FileRejected as exc:
            result.reject(exc.line, exc.reason)
            return result
        _Load(rows, options, result).run()
    finally:
        if collecting:
            gc.enable()
    result.rejects.sort(key=lambda r: r.line)
    return result


def _json_list(values: list[str]) -> str:
    """json.dumps of a list of strings, without the encoder for plain ones."""
    if len(values) == 1:
        one = values[0]
        if one.isascii() and one.isprintable() and '"' not in one and "\\" not in one:
            return f'["{one}"]'
        return json.dumps(values)
    for value in values:
        if (
            not (value.isascii() and value.isprintable())
            or '"' in value
            or "\\" in value
        ):
            return json.dumps(values)
    return "[" + ", ".join(f'"{v}"' for v in values) + "]"


# --- reading the file -----------------------------------------------------------------


def _norm_header(name: str) -> str:
    name = "".join(ch for ch in name.strip().upper().replace(" ", "_") if ch != '"')
    return ALIASES.get(name, name)


def _check_header(cells: list[str]) -> None:
    names = [_norm_header(c) for c in cells]
    while len(names) > WIDTH and not names[-1]:
        names.pop()
    if len(names) != WIDTH:
        raise FileRejected(
            f"the header has {len(names)} columns; a course-loader file has {WIDTH} "
            f"({', '.join(COLUMNS[:3])} ... {COLUMNS[-1]})",
            line=1,
        )
    for i, (got, want) in enumerate(zip(names, COLUMNS, strict=True)):
        if got != want:
            raise FileRejected(
                f"column {i + 1} of the header is {cells[i].strip()!r}, expected "
                f"{want} (the first line must be the header, columns in Alma's order)",
                line=1,
            )


def _unquote(cell: str) -> str:
    # Spreadsheets quote a tab-separated cell holding a quote mark: "a ""b"" c".
    if len(cell) >= 2 and cell[0] == '"' and cell[-1] == '"':
        return cell[1:-1].replace('""', '"')
    return cell


def _split(value: str) -> list[str]:
    if "," not in value and ";" not in value:
        return [value] if value else []
    return split_multi(value)


class _Dates:
    """Dates in the file's format, each distinct text parsed once (a file of 50,000
    courses has a handful of distinct dates)."""

    def __init__(self, fmt: str) -> None:
        self.fmt = fmt
        self.seen: dict[str, datetime.date] = {}
        self.example = datetime.date(2026, 9, 1).strftime(fmt)

    def __call__(
        self, value: str, column: str, errors: list[str]
    ) -> datetime.date | None:
        if not value:
            return None
        day = self.seen.get(value)
        if day is None:
            try:
                day = datetime.datetime.strptime(value, self.fmt).date()
            except ValueError:
                errors.append(
                    f"{column} {value!r} is not a date in the format {self.fmt} "
                    f"(for example {self.example})"
                )
                return None
            self.seen[value] = day
        return day


def _int(value: str, column: str, errors: list[str]) -> int | None:
    if not value:
        return None
    if value.isdigit():
        number = int(value)
    else:
        try:
            number = int(value)
        except ValueError:
            errors.append(f"{column} {value!r} is not a whole number")
            return None
        if number < 0:
            errors.append(f"{column} {number} is negative")
            return None
    if number > MAX_INT:
        errors.append(f"{column} {number} is too large")
        return None
    return number


def _parse(text: str, options: LoadOptions, result: LoadResult) -> list[Row]:
    fmt = options.date_format or InstitutionSettings.current().loader_date_format
    dates = _Dates(fmt)
    seen_dates = dates.seen
    # Each distinct text is checked once: a big file repeats its numbers, campuses
    # and term cells over and over.
    ints: dict[str, int] = {}
    campus_cells: dict[str, list[tuple[str, int]]] = {}
    records = read_rows(text, delimiter="\t", quoted=False)
    try:
        _line, header = next(records)
    except StopIteration:
        raise FileRejected("the file is empty") from None
    _check_header(header)
    quotes = '"' in text
    strip = str.strip
    reject = result.reject

    rows: list[Row] = []
    append = rows.append
    first_line: dict[Key, int] = {}
    for line, cells in records:
        if len(cells) != WIDTH:
            width = len(cells)
            if width > WIDTH and not any(c.strip() for c in cells[WIDTH:]):
                cells = cells[:WIDTH]
            else:
                hint = ""
                if width < WIDTH and any("," in c for c in cells):
                    hint = " (is it comma-separated? columns are separated by tabs)"
                reject(
                    line,
                    f"the line has {width} columns; a course-loader line has "
                    f"{WIDTH}{hint}",
                )
                continue
        if quotes and '"' in "".join(cells):
            cells = [_unquote(c) for c in cells]
        (
            code,
            name,
            section,
            acad,
            proc,
            t1,
            t2,
            t3,
            t4,
            start,
            end,
            participants,
            weekly_hours,
            year,
            s1,
            s2,
            multi_search,
            i1,
            i2,
            i3,
            i4,
            i5,
            i6,
            i7,
            i8,
            i9,
            i10,
            all_instr,
            operation,
            old_code,
            old_section,
            submit_by,
            campuses,
            list_name,
        ) = map(strip, cells)
        key = (code, section)
        errors: list[str] = []
        if not code:
            errors.append("COURSE_CODE is empty")
        elif len(code) > KEY_MAX:
            errors.append(f"COURSE_CODE is longer than {KEY_MAX} characters")
        if len(section) > KEY_MAX:
            errors.append(f"SECTION_ID is longer than {KEY_MAX} characters")
        op = operation.upper() if operation else ""
        if op and op not in OPERATIONS:
            errors.append(
                f"unknown OPERATION {operation!r} (leave it empty, or DELETE or ROLLOVER)"
            )
        if code:
            earlier = first_line.get(key)
            if earlier is not None:
                reject(line, f"duplicate of line {earlier}", label(key))
                continue
            first_line[key] = line
        if op == "DELETE":
            if errors:
                reject(line, "; ".join(errors), label(key))
            else:
                append(Row(line, code, section, key, op))
            continue

        if not name:
            errors.append("COURSE_TITLE is empty")
        elif len(name) > NAME_MAX:
            errors.append(f"COURSE_TITLE is longer than {NAME_MAX} characters")
        if not proc:
            errors.append("PROC_DEPT (the processing department) is empty")
        elif len(proc) > CODE_MAX:
            errors.append(f"the code {proc[:20]!r}... is longer than {CODE_MAX}")
        if len(acad) > CODE_MAX:
            errors.append(f"the code {acad[:20]!r}... is longer than {CODE_MAX}")
        if t2 or t3 or t4 or "," in t1 or ";" in t1:
            terms = _split(t1)
            for t in (t2, t3, t4):
                if t:
                    terms += _split(t)
            if len(terms) > 1:
                terms = list(dict.fromkeys(terms))
        else:
            terms = [t1] if t1 else []
        for t in terms:
            if len(t) > CODE_MAX:
                errors.append(f"the code {t[:20]!r}... is longer than {CODE_MAX}")
        # Dates and numbers: the cache first, the checking parser on a miss.
        start_day = (
            (seen_dates.get(start) or dates(start, "START_DATE", errors))
            if start
            else None
        )
        end_day = (
            (seen_dates.get(end) or dates(end, "END_DATE", errors)) if end else None
        )
        submit_day = (
            (seen_dates.get(submit_by) or dates(submit_by, "SUBMIT_LISTS_BY", errors))
            if submit_by
            else None
        )
        if start_day and end_day and end_day < start_day:
            errors.append("END_DATE is before START_DATE")
        n_participants = ints.get(participants)
        if n_participants is None:
            n_participants = _cached_int(
                ints, participants, "NUM_OF_PARTICIPANTS", errors
            )
        n_hours = ints.get(weekly_hours)
        if n_hours is None:
            n_hours = _cached_int(ints, weekly_hours, "WEEKLY_HOURS", errors)
        n_year: int | None = ints.get(year)
        if n_year is None and year:
            n_year = _cached_int(ints, year, "YEAR", errors)
        if len(list_name) > NAME_MAX:
            errors.append(f"READING_LIST_NAME is longer than {NAME_MAX} characters")
        if multi_search:
            search = [s for s in (s1, s2) if s] + split_multi(multi_search)
            if len(search) > 1:
                search = list(dict.fromkeys(search))
        elif s2:
            search = [s1, s2] if s1 and s1 != s2 else [s2]
        else:
            search = [s1] if s1 else []
        if i2 or i3 or i4 or i5 or i6 or i7 or i8 or i9 or i10:
            people = [i for i in (i1, i2, i3, i4, i5, i6, i7, i8, i9, i10) if i]
        else:
            people = [i1] if i1 else []
        if all_instr:
            people += _split(all_instr)
        if len(people) > 1:
            people = list(dict.fromkeys(people))
        for person in people:
            if len(person) > KEY_MAX:
                errors.append(f"the instructor id {person[:20]!r}... is too long")
        if campuses:
            places = campus_cells.get(campuses)
            if places is None:
                before = len(errors)
                places = _campuses(campuses, errors)
                if len(errors) == before:
                    campus_cells[campuses] = places
        else:
            places = []
        old: Key | None = None
        if op == "ROLLOVER":
            if not old_code:
                errors.append("a ROLLOVER needs OLD_COURSE_CODE")
            elif (old_code, old_section) == key:
                errors.append("a course cannot roll over to itself")
            else:
                old = (old_code, old_section)
        if errors:
            reject(line, "; ".join(errors), label(key))
            continue
        append(
            Row(
                line,
                code,
                section,
                key,
                op,
                name,
                acad,
                proc,
                terms,
                start_day,
                end_day,
                n_participants or 0,
                n_hours or 0,
                n_year,
                search,
                people,
                old,
                submit_day,
                places,
                list_name,
            )
        )
    return rows


def _cached_int(
    ints: dict[str, int], value: str, column: str, errors: list[str]
) -> int | None:
    number = _int(value, column, errors)
    if number is not None:
        ints[value] = number
    return number


def _campuses(value: str, errors: list[str]) -> list[tuple[str, int]]:
    out: dict[str, int] = {}
    for part in value.split(","):
        part = part.strip()
        if not part:
            continue
        code, _bar, count = part.partition("|")
        code = code.strip()
        if not code:
            errors.append(f"CAMPUS_AND_PARTICIPANTS {part!r} has no campus code")
            continue
        if len(code) > CODE_MAX:
            errors.append(f"the campus code {code[:20]!r}... is too long")
            continue
        out[code] = _int(count.strip(), f"participants of campus {code}", errors) or 0
    return list(out.items())


# --- comparing with the database and writing -----------------------------------------


@dataclass(slots=True)
class _Existing:
    """A course as the database has it, in the shape compared with a row."""

    id: int
    values: tuple
    search_json: str
    rolled_from: int | None
    terms: set[int] = field(default_factory=set)
    instructors: set[int] = field(default_factory=set)
    campuses: dict[int, int] = field(default_factory=dict)


COURSE_COLUMNS = (
    "name",
    "academic_department_id",
    "processing_department_id",
    "year",
    "start_date",
    "end_date",
    "participants",
    "weekly_hours",
    "reading_list_name",
    "submit_lists_by",
)


DATE_COLUMNS = ("start_date", "end_date", "submit_lists_by")


class _Load:
    def __init__(self, rows: list[Row], options: LoadOptions, result: LoadResult):
        self.rows = rows
        self.options = options
        self.result = result
        self.policy = InstitutionSettings.current()
        self.db = BulkSql()
        self.throttle = Throttle(options.progress, max(len(rows), 1))
        self.courses: dict[Key, _Existing] = {}
        # The id of every course of the file (and rollover source) in the database,
        # the ones this load creates included.
        self.ids: dict[Key, int] = {}
        self.created_keys: list[Row] = []
        self.other_roles: dict[tuple[int, int], int] = {}
        self.taken_usernames: set[str] = set()

    # The steps, in order.

    def run(self) -> None:
        rows = self.rows
        result = self.result
        self.throttle(0)
        with transaction.atomic():
            self.read_codes()
            self.read_people()
            self.read_courses()
            rows = self.resolve(rows)
            if self.options.mode == "all_or_nothing" and result.rejects:
                return
            self.create_codes_and_people()
            self.write(rows)
            # Lists made with new courses first: a rollover from such a course in the
            # same file then copies them (and a second run finds them copied).
            self.make_lists(rows)
            self.rollover(rows)
            self.delete(rows)
            result.applied = not self.options.dry_run
            for name in ("created", "updated", "unchanged", "deleted", "rolled_over"):
                result.counts.setdefault(name, 0)
            changed = any(result.counts[n] for n in result.counts if n != "unchanged")
            if changed and not self.options.dry_run:
                event_record(
                    actor=self.options.actor,
                    verb="courses_loaded",
                    target_type="course",
                    target_id=None,
                    summary=" ".join(
                        p for p in (self.options.file_name, result.summary()) if p
                    ),
                    params={
                        "file": self.options.file_name,
                        "mode": self.options.mode,
                        "counts": result.counts_dict(),
                    },
                )
            if self.options.dry_run:
                # Counted exactly by doing it; undone here.
                transaction.set_rollback(True)
        self.throttle(self.throttle.total)

    def read_codes(self) -> None:
        self.departments = dict(Department.objects.values_list("code", "id"))
        self.term_ids = dict(Term.objects.values_list("code", "id"))
        self.campus_ids = dict(Campus.objects.values_list("code", "id"))
        self.new_departments: dict[str, None] = {}
        self.new_terms: dict[str, None] = {}
        self.new_campuses: dict[str, None] = {}

    def read_people(self) -> None:
        wanted = {p for row in self.rows for p in row.instructors}
        self.people: dict[str, int] = {}
        self.new_people: dict[str, None] = {}
        if not wanted:
            return
        db = self.db
        where, param = db.any_of("primary_id", wanted, "text")
        table = db.qn(User._meta.db_table)
        self.people = dict(
            db.select(f"SELECT primary_id, id FROM {table} WHERE {where}", [param])
        )
        missing = wanted - self.people.keys()
        # A pending user's username is the primary id; one taken by someone else
        # cannot be used.
        if missing:
            where, param = db.any_of("username", missing, "text")
            self.taken_usernames = {
                u
                for (u,) in db.select(
                    f"SELECT username FROM {table} WHERE {where}", [param]
                )
            }

    def read_courses(self) -> None:
        """Every course the file names (as a course or as a rollover source), with
        its terms, instructors and campuses."""
        db = self.db
        codes = {row.code for row in self.rows} | {
            row.old[0] for row in self.rows if row.old
        }
        if not codes:
            return
        course = db.qn(Course._meta.db_table)
        where, param = db.any_of("code", codes, "text")
        # Dates as the file's are compared: date objects on PostgreSQL, ISO text on
        # SQLite (an expression, so the driver does not convert it).
        cols = ", ".join(
            f"substr({c}, 1, 10)" if c in DATE_COLUMNS and not db.postgres else c
            for c in COURSE_COLUMNS
        )
        by_id: dict[int, _Existing] = {}
        for (
            pk,
            code,
            section,
            name,
            acad,
            proc,
            year,
            start,
            end,
            participants,
            hours,
            list_name,
            submit_by,
            search,
            rolled_from,
        ) in db.select(
            f"SELECT id, code, section, {cols}, searchable_ids, rolled_from_id "
            f"FROM {course} WHERE {where}",
            [param],
        ):
            existing = _Existing(
                pk,
                (
                    name,
                    acad,
                    proc,
                    year,
                    start,
                    end,
                    participants,
                    hours,
                    list_name,
                    submit_by,
                ),
                search if isinstance(search, str) else json.dumps(search),
                rolled_from,
            )
            self.courses[(code, section)] = existing
            self.ids[(code, section)] = pk
            by_id[pk] = existing
        if not by_id:
            return
        in_file = {row.key for row in self.rows}
        ids = [e.id for k, e in self.courses.items() if k in in_file]
        if not ids:
            return
        where, param = db.any_of("course_id", ids, "bigint")
        terms = db.qn(Course.terms.through._meta.db_table)
        for course_id, term_id in db.select(
            f"SELECT course_id, term_id FROM {terms} WHERE {where}", [param]
        ):
            by_id[course_id].terms.add(term_id)
        campus = db.qn(CourseCampus._meta.db_table)
        for course_id, campus_id, participants in db.select(
            f"SELECT course_id, campus_id, participants FROM {campus} WHERE {where}",
            [param],
        ):
            by_id[course_id].campuses[campus_id] = participants
        # Instructor enrolments, and any other enrolment of someone the file names as
        # an instructor (a teaching assistant promoted, say).
        # Two queries, each answered from an index: (course, role) and (user, course).
        enrolment = db.qn(Enrolment._meta.db_table)
        for course_id, user_id in db.select(
            f"SELECT course_id, user_id FROM {enrolment} WHERE role = %s AND {where}",
            [INSTRUCTOR, param],
        ):
            by_id[course_id].instructors.add(user_id)
        people = list(self.people.values())
        if not people:
            return
        who, who_param = db.any_of("user_id", people, "bigint")
        # Courses checked here: SQLite's planner makes a poor join of the two lists.
        for pk, course_id, user_id in db.select(
            f"SELECT id, course_id, user_id FROM {enrolment} "
            f"WHERE role <> %s AND {who}",
            [INSTRUCTOR, who_param],
        ):
            if course_id in by_id:
                self.other_roles[(course_id, user_id)] = pk

    def resolve(self, rows: list[Row]) -> list[Row]:
        """Rejects rows naming what the database lacks (by the institution's policy)
        and rollovers and deletions of courses that do not exist."""
        create_codes = self.policy.loader_unknown_codes == LoaderUnknown.CREATE
        create_people = self.policy.loader_unknown_users == LoaderUnknown.CREATE
        good: list[Row] = []
        seen: set[Key] = set()
        reject = self.result.reject
        new_depts = self.new_departments
        new_terms = self.new_terms
        new_campuses = self.new_campuses
        departments = self.departments
        term_ids = self.term_ids
        campus_ids = self.campus_ids
        people = self.people
        add_good = good.append
        add_seen = seen.add
        for row in rows:
            # The usual row: everything it names is known, no rollover.
            if (
                row.old is None
                and row.proc in departments
                and (not row.acad or row.acad in departments)
                and not row.operation
            ):
                for t in row.terms:
                    if t not in term_ids:
                        break
                else:
                    for c, _n in row.campuses:
                        if c not in campus_ids:
                            break
                    else:
                        for person in row.instructors:
                            if person not in people:
                                break
                        else:
                            add_good(row)
                            add_seen(row.key)
                            continue
            errors: list[str] = []
            if row.operation == "DELETE":
                if row.key not in self.courses:
                    reject(
                        row.line,
                        "DELETE of a course that does not exist",
                        label(row.key),
                    )
                else:
                    good.append(row)
                continue
            # What the row would have created; kept only if the row is good.
            wants: list[tuple[dict[str, None], str]] = []
            for column, value, known, new in (
                ("academic department", row.acad, self.departments, new_depts),
                ("processing department", row.proc, self.departments, new_depts),
                *(("term", t, self.term_ids, new_terms) for t in row.terms),
                *(
                    ("campus", c, self.campus_ids, new_campuses)
                    for c, _n in row.campuses
                ),
            ):
                if value and value not in known:
                    if create_codes:
                        wants.append((new, value))
                    else:
                        errors.append(f"unknown {column} {value!r}")
            for person in row.instructors:
                if person not in self.people:
                    if not create_people:
                        errors.append(f"unknown instructor {person!r}")
                    elif person in self.taken_usernames:
                        errors.append(
                            f"unknown instructor {person!r}: a user named {person!r} "
                            "exists with another primary id"
                        )
                    else:
                        wants.append((self.new_people, person))
            if (
                row.old is not None
                and row.old not in self.courses
                and row.old not in seen
            ):
                errors.append(
                    f"ROLLOVER from {label(row.old)}, a course that exists neither in "
                    "Lectio nor earlier in the file"
                )
            if errors:
                reject(row.line, "; ".join(errors), label(row.key))
                continue
            for new, value in wants:
                new[value] = None
            good.append(row)
            seen.add(row.key)
        return good

    def create_codes_and_people(self) -> None:
        # Only what a good row still needs (valid-only mode skips the others).
        made = (
            ("new_departments", Department, self.new_departments, self.departments),
            ("new_terms", Term, self.new_terms, self.term_ids),
            ("new_campuses", Campus, self.new_campuses, self.campus_ids),
        )
        for count, model, new, ids in made:
            if new:
                manager: Any = model._default_manager
                manager.bulk_create([model(code=code, name=code) for code in new])
                ids.update(manager.filter(code__in=list(new)).values_list("code", "id"))
                self.result.counts[count] = len(new)
        if self.new_people:
            User.objects.bulk_create(
                [
                    User(
                        username=pid,
                        primary_id=pid,
                        role=Role.INSTRUCTOR,
                        pending=True,
                        password=make_password(None),
                    )
                    for pid in self.new_people
                ]
            )
            for pid, pk in User.objects.filter(
                primary_id__in=list(self.new_people)
            ).values_list("primary_id", "id"):
                self.people[pid or ""] = pk
            self.result.counts["pending_users"] = len(self.new_people)

    def write(self, rows: list[Row]) -> None:
        """Creates and updates courses with their links; counts every row."""
        db = self.db
        counts = self.result.counts
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        departments = self.departments
        term_ids = self.term_ids
        campus_ids = self.campus_ids
        people = self.people
        courses = self.courses
        day = db.days()

        new_rows: list[tuple] = []
        created: list[tuple[Row, int | None]] = []
        updates: list[tuple] = []
        add_terms: list[tuple] = []
        drop_terms: list[tuple] = []
        add_teachers: list[tuple] = []
        drop_teachers: list[tuple] = []
        promote: list[tuple] = []
        add_campus: list[tuple] = []
        set_campus: list[tuple] = []
        drop_campus: list[tuple] = []
        self.rolled_from_later: list[Row] = []
        done = 0
        for row in rows:
            done += 1
            if done % 2000 == 0:
                self.throttle(done)
            if row.operation == "DELETE":
                continue
            old = courses.get(row.old) if row.old else None
            existing = courses.get(row.key)
            if existing is None:
                if row.old is not None and old is None:
                    self.rolled_from_later.append(row)
                created.append((row, old.id if old else None))
                continue
            acad = departments[row.acad] if row.acad else None
            proc = departments[row.proc]
            search_json = _json_list(row.search_ids)
            # One term and one or two instructors are the usual.
            names = row.terms
            term_set = (
                {term_ids[names[0]]}
                if len(names) == 1
                else {term_ids[t] for t in names}
            )
            names = row.instructors
            teacher_set = (
                {people[names[0]]} if len(names) == 1 else {people[p] for p in names}
            )
            campuses = {campus_ids[c]: n for c, n in row.campuses}
            pk = existing.id
            changed = False
            values = (
                row.name,
                acad,
                proc,
                row.year,
                day[row.start],
                day[row.end],
                row.participants,
                row.weekly_hours,
                row.list_name,
                day[row.submit_by],
            )
            if values != existing.values or (
                search_json != existing.search_json
                and row.search_ids != json.loads(existing.search_json)
            ):
                changed = True
            rolled_from = existing.rolled_from
            if row.old is not None:
                if old is None:
                    self.rolled_from_later.append(row)
                    changed = True
                elif old.id != rolled_from:
                    rolled_from = old.id
                    changed = True
            if term_set != existing.terms:
                changed = True
                add_terms += [(pk, t) for t in term_set - existing.terms]
                drop_terms += [(pk, t) for t in existing.terms - term_set]
            if teacher_set != existing.instructors:
                changed = True
                for user_id in teacher_set - existing.instructors:
                    other = self.other_roles.get((pk, user_id))
                    if other is not None:
                        promote.append((INSTRUCTOR, other))
                    else:
                        add_teachers.append((pk, user_id))
                drop_teachers += [(pk, u) for u in existing.instructors - teacher_set]
            if campuses != existing.campuses:
                changed = True
                for campus_id, n in campuses.items():
                    if campus_id not in existing.campuses:
                        add_campus.append((pk, campus_id, n))
                    elif existing.campuses[campus_id] != n:
                        set_campus.append((n, pk, campus_id))
                drop_campus += [(pk, c) for c in existing.campuses if c not in campuses]
            if not changed:
                counts["unchanged"] += 1
                continue
            counts["updated"] += 1
            updates.append(
                (
                    row.name,
                    acad,
                    proc,
                    row.year,
                    day[row.start],
                    day[row.end],
                    row.participants,
                    row.weekly_hours,
                    row.list_name,
                    day[row.submit_by],
                    search_json,
                    rolled_from,
                    now,
                    pk,
                )
            )

        qn = db.qn
        course_table = Course._meta.db_table
        terms_table = Course.terms.through._meta.db_table
        enrolment_table = Enrolment._meta.db_table
        campus_table = CourseCampus._meta.db_table
        if updates:
            sets = ", ".join(
                f"{qn(c)} = %s"
                for c in (
                    *COURSE_COLUMNS,
                    "searchable_ids",
                    "rolled_from_id",
                    "updated_at",
                )
            )
            db.executemany(
                f"UPDATE {qn(course_table)} SET {sets} WHERE id = %s", updates
            )
        if created:
            counts["created"] += len(created)
            self.created_keys = [row for row, _old in created]
            ids = self.ids
            # Ids taken beforehand: the links are made without reading the courses
            # back, and the rows go in in id order.
            for pk, (row, old_id) in zip(
                db.new_ids(course_table, len(created)), created, strict=True
            ):
                ids[row.key] = pk
                new_rows.append(
                    (
                        pk,
                        row.code,
                        row.section,
                        row.name,
                        departments[row.acad] if row.acad else None,
                        departments[row.proc],
                        row.year,
                        day[row.start],
                        day[row.end],
                        row.participants,
                        row.weekly_hours,
                        _json_list(row.search_ids),
                        row.list_name,
                        day[row.submit_by],
                        old_id,
                    )
                )
                for t in row.terms:
                    add_terms.append((pk, term_ids[t]))
                for p in row.instructors:
                    add_teachers.append((pk, people[p]))
                for c, n in row.campuses:
                    add_campus.append((pk, campus_ids[c], n))
            db.insert(
                course_table,
                (
                    "id",
                    "code",
                    "section",
                    *COURSE_COLUMNS[:8],
                    "searchable_ids",
                    "reading_list_name",
                    "submit_lists_by",
                    "rolled_from_id",
                ),
                new_rows,
                {
                    "notes": "[]",
                    "status": ACTIVE,
                    "no_list_expected": False,
                    "created_at": now,
                    "updated_at": now,
                },
            )
        db.executemany(
            f"DELETE FROM {qn(terms_table)} WHERE course_id = %s AND term_id = %s",
            drop_terms,
        )
        db.insert(terms_table, ("course_id", "term_id"), add_terms)
        db.executemany(
            f"DELETE FROM {qn(enrolment_table)} "
            "WHERE course_id = %s AND user_id = %s AND role = %s",
            [(c, u, INSTRUCTOR) for c, u in drop_teachers],
        )
        db.executemany(
            f"UPDATE {qn(enrolment_table)} SET role = %s WHERE id = %s", promote
        )
        db.insert(
            enrolment_table,
            ("course_id", "user_id"),
            add_teachers,
            {"role": INSTRUCTOR, "created_at": now},
            # Measured: enrolments (three indexes, two of them in user order) go in
            # faster from one JSON array than many rows to a statement.
            as_json=True,
        )
        db.executemany(
            f"DELETE FROM {qn(campus_table)} WHERE course_id = %s AND campus_id = %s",
            drop_campus,
        )
        db.executemany(
            f"UPDATE {qn(campus_table)} SET participants = %s "
            "WHERE course_id = %s AND campus_id = %s",
            set_campus,
        )
        db.insert(campus_table, ("course_id", "campus_id", "participants"), add_campus)
        # A rollover whose source course is created by the same file.
        ids = self.ids
        fix = [
            (ids[row.old], ids[row.key])
            for row in self.rolled_from_later
            if row.old is not None
        ]
        db.executemany(
            f"UPDATE {qn(course_table)} SET rolled_from_id = %s WHERE id = %s", fix
        )

    def rollover(self, rows: list[Row]) -> None:
        pairs = [
            (self.ids[row.old], self.ids[row.key])
            for row in rows
            if row.operation == "ROLLOVER" and row.old is not None
        ]
        if not pairs:
            return
        from lectio.lists.rollover import rollover_courses

        report = rollover_courses(
            pairs, actor=self._actor(), dry_run=self.options.dry_run
        )
        self.result.counts["rolled_over"] += report.created

    def delete(self, rows: list[Row]) -> None:
        ids = [self.ids[row.key] for row in rows if row.operation == "DELETE"]
        if not ids:
            return
        # The ORM deletes the links (terms, campuses, enrolments, list attachments);
        # the lists themselves stay. Deletions are few.
        for start in range(0, len(ids), 500):
            Course.objects.filter(pk__in=ids[start : start + 500]).delete()
        self.result.counts["deleted"] += len(ids)

    def make_lists(self, rows: list[Row]) -> None:
        """An empty list named READING_LIST_NAME for each course the file created,
        owned by its first instructor."""
        wanted = [row for row in self.created_keys if row.list_name]
        if not wanted:
            return
        from lectio.lists.services import reading_list_create

        owners = {
            u.pk: u
            for u in User.objects.filter(
                pk__in=[self.people[r.instructors[0]] for r in wanted if r.instructors]
            )
        }
        made = 0
        for row in wanted:
            owner = (
                owners.get(self.people[row.instructors[0]])
                if row.instructors
                else self._actor()
            )
            if owner is None:
                continue
            reading_list_create(
                actor=owner,
                name=row.list_name,
                course_ids=[self.ids[row.key]],
            )
            made += 1
        if made:
            self.result.counts["lists_created"] = made

    def _actor(self) -> User | None:
        actor = self.options.actor
        return actor if getattr(actor, "is_authenticated", False) else None
