"""Alma's course search: `q=field~value AND field~value` (AND only, case-insensitive
"contains"), and its paging parameters. `parse_q` is pure; `course_filter` turns
the parsed terms into one Q over courses."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL

from lectio.api.alma.errors import AlmaError, bad_input

FIELDS = (
    "code",
    "section",
    "name",
    "notes",
    "instructors",
    "searchable_ids",
    "year",
    "academic_department",
    "all",
)
MAX_LIMIT = 100
DEFAULT_LIMIT = 10


def parse_q(q: str) -> list[tuple[str, str]]:
    """`code~HIS AND name~history` -> [("code", "HIS"), ("name", "history")]."""
    q = q.strip()
    if not q:
        return []
    terms = []
    for part in q.split(" AND "):
        field, sep, value = part.strip().partition("~")
        field = field.strip().lower()
        value = value.strip()
        if not sep or not field:
            raise bad_input(
                "q",
                f"“{part.strip()}” is not field~value (fields: {', '.join(FIELDS)}).",
            )
        if field not in FIELDS:
            raise bad_input(
                "q", f"unknown field “{field}” (fields: {', '.join(FIELDS)})."
            )
        if not value:
            raise bad_input("q", f"{field}~ needs a value.")
        if len(value) > 200:
            raise bad_input("q", f"the value of {field} is too long.")
        if field == "year" and not value.isdigit():
            raise bad_input("q", f"year~{value}: a year is a number.")
        terms.append((field, value))
    return terms


def paging(params: Mapping[str, str]) -> tuple[int, int]:
    """(limit, offset) from `limit` (0-100, default 10) and `offset` (>= 0)."""
    limit = _integer(params, "limit", DEFAULT_LIMIT)
    offset = _integer(params, "offset", 0)
    if not 0 <= limit <= MAX_LIMIT:
        raise bad_input("limit", f"must be between 0 and {MAX_LIMIT}, not {limit}.")
    if offset < 0:
        raise bad_input("offset", f"must be 0 or more, not {offset}.")
    return limit, offset


def _integer(params: Mapping[str, str], name: str, default: int) -> int:
    raw = params.get(name, "")
    if raw is None or str(raw).strip() == "":
        return default
    try:
        return int(str(raw).strip())
    except ValueError:
        raise bad_input(name, f"“{raw}” is not a whole number.") from None


# Up to this many people matching an instructors~ value are looked up once and
# passed as ids; more than that (a value like "a") stays a subquery.
PEOPLE_IDS_MAX = 2000


def _like_pattern(value: str) -> str:
    """`value` as a LIKE pattern for "contains", its wildcards escaped (with `\\`)."""
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# On PostgreSQL a course's searched text in one expression (fields joined by the
# unit separator, which no search value holds), so `all~` is one comparison a row,
# served by a trigram index over exactly this expression (migration courses 0005).
# SQLite compares the fields one by one: its LIKE stops at the first that matches,
# which is cheaper there than building the joined text.
ALL_TEXT = (
    "UPPER(code || chr(31) || section || chr(31) || name || chr(31) || "
    "notes::text || chr(31) || searchable_ids::text)"
)


def _all_text(value: str) -> Q:
    """Courses whose code, section, name, notes or searchable ids contain `value`
    (case-insensitively, as icontains)."""
    from lectio.courses.models import Course

    if connection.vendor != "postgresql":
        return (
            Q(code__icontains=value)
            | Q(section__icontains=value)
            | Q(name__icontains=value)
            | Q(notes__icontains=value)
            | Q(searchable_ids__icontains=value)
        )
    table = connection.ops.quote_name(Course._meta.db_table)
    return Q(
        pk__in=RawSQL(
            f"SELECT id FROM {table} WHERE {ALL_TEXT} LIKE UPPER(%s)",
            [_like_pattern(value)],
        )
    )


def teaching_people(value: str, limit: int) -> list[int]:
    """Up to `limit` ids of the people who teach a course (an instructor enrolment)
    and whose primary id, first or last name contains `value`, case-insensitively.

    Only those who teach are read: their distinct ids come from the enrolments'
    partial index of instructor rows (a fifth of all enrolments, never the
    students), and each is looked up by primary key; the users table is not
    scanned. PostgreSQL's planner would rather scan every user (it thinks the
    names are cheap to compare), so there each lookup is a lateral subquery it
    cannot flatten."""
    from lectio.accounts.models import User
    from lectio.courses.models import CourseRole, Enrolment

    qn = connection.ops.quote_name
    users, enrolments = qn(User._meta.db_table), qn(Enrolment._meta.db_table)
    teachers = f"SELECT DISTINCT e.user_id FROM {enrolments} e WHERE e.role = %s"
    pattern = _like_pattern(value)
    if connection.vendor == "postgresql":
        match = " OR ".join(
            f"UPPER(u.{column}::text) LIKE UPPER(%s)"
            for column in ("primary_id", "first_name", "last_name")
        )
        sql = (
            f"SELECT t.user_id FROM ({teachers}) t CROSS JOIN LATERAL "
            f"(SELECT 1 FROM {users} u WHERE u.id = t.user_id AND ({match}) "
            "OFFSET 0) m LIMIT %s"
        )
    else:
        match = " OR ".join(
            f"u.{column} LIKE %s ESCAPE '\\'"
            for column in ("primary_id", "first_name", "last_name")
        )
        sql = (
            f"SELECT u.id FROM ({teachers}) t JOIN {users} u ON u.id = t.user_id "
            f"WHERE {match} LIMIT %s"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, [CourseRole.INSTRUCTOR, pattern, pattern, pattern, limit])
        return [row[0] for row in cursor.fetchall()]


def _instructors(value: str) -> Q:
    """Courses taught by someone whose primary id, first or last name contains
    `value`. The people are found first (`teaching_people`), then their courses
    through the same partial index: never a probe per course."""
    from lectio.accounts.models import User
    from lectio.courses.models import CourseRole, Enrolment

    ids = teaching_people(value, PEOPLE_IDS_MAX + 1)
    teaching = Enrolment.objects.filter(role=CourseRole.INSTRUCTOR)
    if len(ids) > PEOPLE_IDS_MAX:
        people = User.objects.filter(
            Q(primary_id__icontains=value)
            | Q(first_name__icontains=value)
            | Q(last_name__icontains=value)
        )
        return Q(pk__in=teaching.filter(user__in=people).values("course_id"))
    return Q(pk__in=teaching.filter(user_id__in=ids).values("course_id"))


def _one(field: str, value: str) -> Q:
    if field == "code":
        return Q(code__icontains=value)
    if field == "section":
        return Q(section__icontains=value)
    if field == "name":
        return Q(name__icontains=value)
    if field == "notes":
        return Q(notes__icontains=value)
    if field == "searchable_ids":
        return Q(searchable_ids__icontains=value)
    if field == "year":
        return Q(year=int(value))
    if field == "academic_department":
        return Q(academic_department__code__icontains=value) | Q(
            academic_department__name__icontains=value
        )
    if field == "instructors":
        return _instructors(value)
    if field == "all":
        return _all_text(value) | _instructors(value)
    raise AlmaError(400, f"unknown field {field}.", field="q")  # pragma: no cover


# The order a course's fields are best compared in: an AND of several stops at the
# first that fails, so the cheap and short come first (a number, a code), the long
# text and the JSON (cast to text row by row on PostgreSQL) last.
COST = {
    field: rank
    for rank, field in enumerate(
        (
            "year",
            "instructors",
            "code",
            "section",
            "academic_department",
            "name",
            "notes",
            "searchable_ids",
            "all",
        )
    )
}


def course_filter(terms: list[tuple[str, str]]) -> Q:
    condition = Q()
    for field, value in sorted(terms, key=lambda term: COST[term[0]]):
        condition &= _one(field, value)
    return condition
