"""The enrolment loader: who takes or teaches which course, one CSV row each.

Columns (header row, comma-separated, names case-insensitive):

    primary_id (required), course_code (required), section, role, operation

- The course is course_code + section (an empty section is a course without one); a
  course Lectio does not know is a reject.
- The person is found by primary id (or, failing that, by username). Someone Lectio
  does not know is created as a pending student or rejected, as the institution's
  setting for unknown people says. Pending people sign in through the institution's
  login or the LMS; a user file names them properly later.
- role: student, instructor or ta (teaching assistant; "teaching_assistant" works
  too); empty is student.
- operation: empty adds the enrolment or changes its role; DELETE removes it (a
  DELETE of an enrolment that is not there is "unchanged").
- A person named twice for one course is a reject of the later row.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from lectio.accounts.loader import (
    pending_user_problem,
    pending_users_create,
    users_by_key,
)
from lectio.accounts.models import InstitutionSettings, LoaderUnknown, Role, User
from lectio.core.loading import (
    LoadOptions,
    LoadResult,
    Throttle,
    decode,
    read_dicts,
)
from lectio.core.models import Event
from lectio.courses.models import Course, CourseRole, Enrolment

COLUMNS = ("primary_id", "course_code", "section", "role", "operation")
ROLES = {
    "student": CourseRole.STUDENT,
    "instructor": CourseRole.INSTRUCTOR,
    "ta": CourseRole.TEACHING_ASSISTANT,
    "teaching_assistant": CourseRole.TEACHING_ASSISTANT,
}
OPERATIONS = ("", "DELETE")
BATCH = 1000


@dataclass
class _Row:
    line: int
    primary_id: str
    course_id: int
    course_label: str
    role: str
    delete: bool


def load(data: bytes, options: LoadOptions) -> LoadResult:
    """Validates the whole file, then adds, changes and removes enrolments in one
    transaction. Counts are what was (or would have been) created / updated /
    deleted / unchanged."""
    result = LoadResult()
    header, rows = read_dicts(
        decode(data),
        result=result,
        delimiter=",",
        required=("primary_id", "course_code"),
        known=COLUMNS,
    )
    raw_rows = list(rows)

    courses = _courses({raw.get("course_code", "") for _line, raw in raw_rows})
    users = users_by_key(raw.get("primary_id", "") for _line, raw in raw_rows)
    settings_row = InstitutionSettings.current()
    create_unknown = settings_row.loader_unknown_users == LoaderUnknown.CREATE

    parsed: list[_Row] = []
    first_line: dict[tuple[str, int], int] = {}
    to_create: dict[str, int] = {}
    for line, raw in raw_rows:
        primary_id = raw.get("primary_id", "")
        code = raw.get("course_code", "")
        section = raw.get("section", "")
        label = f"{code}-{section}" if section else code
        key = f"{primary_id} {label}"
        problems = []
        if not primary_id:
            problems.append("primary_id is empty")
        if not code:
            problems.append("course_code is empty")
        role_text = raw.get("role", "").lower().replace(" ", "_") or "student"
        if role_text not in ROLES:
            problems.append(
                f"unknown role {raw.get('role')!r}; one of student, instructor, ta "
                "is expected"
            )
        operation = raw.get("operation", "").upper()
        if operation not in OPERATIONS:
            problems.append(
                f"unknown operation {raw.get('operation')!r}; leave it empty to add "
                "or change, or DELETE"
            )
        course_id = courses.get((code, section))
        if code and course_id is None:
            problems.append(
                f"no course {code}"
                + (f" section {section}" if section else " without a section")
            )
        if primary_id and primary_id not in users and operation != "DELETE":
            if not create_unknown:
                problems.append(
                    f"no user with primary id {primary_id} (the institution's "
                    "setting rejects unknown people; load them with the user file)"
                )
            else:
                problem = pending_user_problem(primary_id)
                if problem:
                    problems.append(problem)
        if problems:
            result.reject(line, "; ".join(problems), key)
            continue
        assert course_id is not None
        pair = (primary_id, course_id)
        if pair in first_line:
            result.reject(
                line,
                f"{primary_id} on {label} appears already on line {first_line[pair]}",
                key,
            )
            continue
        first_line[pair] = line
        if primary_id not in users and operation != "DELETE":
            to_create.setdefault(primary_id, line)
        parsed.append(
            _Row(
                line,
                primary_id,
                course_id,
                label,
                ROLES[role_text],
                operation == "DELETE",
            )
        )

    existing = _enrolments(
        [users[r.primary_id].pk for r in parsed if r.primary_id in users],
        {r.course_id for r in parsed},
    )
    adds: list[_Row] = []
    changes: list[tuple[_Row, int, str]] = []
    deletes: list[tuple[_Row, int, str]] = []
    for row in parsed:
        user = users.get(row.primary_id)
        current = existing.get((user.pk, row.course_id)) if user else None
        if row.delete:
            if current is None:
                result.counts["unchanged"] += 1
            else:
                deletes.append((row, current[0], current[1]))
                result.counts["deleted"] += 1
        elif current is None:
            adds.append(row)
            result.counts["created"] += 1
        elif current[1] != row.role:
            changes.append((row, current[0], current[1]))
            result.counts["updated"] += 1
        else:
            result.counts["unchanged"] += 1
    if to_create:
        result.counts["users_created"] = len(to_create)

    if options.dry_run or (result.rejects and options.mode == "all_or_nothing"):
        return result
    if not (adds or changes or deletes):
        return result
    tick = Throttle(options.progress, len(adds) + len(changes) + len(deletes))
    with transaction.atomic():
        users.update(
            pending_users_create(
                to_create,
                role=Role.STUDENT,
                actor=options.actor,
                source=f"enrolment file {options.file_name}".strip(),
            )
        )
        _write(users, adds, changes, deletes, options)
        tick(tick.total)
    result.applied = True
    return result


def _courses(codes: set[str]) -> dict[tuple[str, str], int]:
    found: dict[tuple[str, str], int] = {}
    wanted = sorted(c for c in codes if c)
    for start in range(0, len(wanted), BATCH):
        for pk, code, section in Course.objects.filter(
            code__in=wanted[start : start + BATCH]
        ).values_list("pk", "code", "section"):
            found[(code, section)] = pk
    return found


def _enrolments(
    user_ids: list[int], course_ids: set[int]
) -> dict[tuple[int, int], tuple[int, str]]:
    """(user, course) -> (enrolment id, role) for the pairs the file could touch."""
    found: dict[tuple[int, int], tuple[int, str]] = {}
    wanted = sorted(set(user_ids))
    for start in range(0, len(wanted), BATCH):
        for pk, user_id, course_id, role in Enrolment.objects.filter(
            Q(user_id__in=wanted[start : start + BATCH]) & Q(course_id__in=course_ids)
        ).values_list("pk", "user_id", "course_id", "role"):
            found[(user_id, course_id)] = (pk, role)
    return found


def _write(
    users: dict[str, User],
    adds: list[_Row],
    changes: list[tuple[_Row, int, str]],
    deletes: list[tuple[_Row, int, str]],
    options: LoadOptions,
) -> None:
    Enrolment.objects.bulk_create(
        [
            Enrolment(user=users[r.primary_id], course_id=r.course_id, role=r.role)
            for r in adds
        ],
        batch_size=BATCH,
    )
    by_role: dict[str, list[int]] = defaultdict(list)
    for row, pk, _old in changes:
        by_role[row.role].append(pk)
    for role, pks in by_role.items():
        for start in range(0, len(pks), BATCH):
            Enrolment.objects.filter(pk__in=pks[start : start + BATCH]).update(
                role=role
            )
    pks = [pk for _row, pk, _old in deletes]
    for start in range(0, len(pks), BATCH):
        Enrolment.objects.filter(pk__in=pks[start : start + BATCH]).delete()

    actor_id = getattr(options.actor, "pk", None)
    now = timezone.now()
    source = {"file": options.file_name}
    events = [
        Event(
            created_at=now,
            actor_id=actor_id,
            verb="enrolment.add",
            target_type="course",
            target_id=r.course_id,
            summary=f"Enrolled {r.primary_id} on {r.course_label} as {r.role}",
            params={"user": users[r.primary_id].pk, "role": r.role, **source},
        )
        for r in adds
    ]
    events += [
        Event(
            created_at=now,
            actor_id=actor_id,
            verb="enrolment.change",
            target_type="course",
            target_id=r.course_id,
            summary=f"{r.primary_id} on {r.course_label}: {old} -> {r.role}",
            params={
                "user": users[r.primary_id].pk,
                "role": r.role,
                "was": old,
                **source,
            },
        )
        for r, _pk, old in changes
    ]
    events += [
        Event(
            created_at=now,
            actor_id=actor_id,
            verb="enrolment.remove",
            target_type="course",
            target_id=r.course_id,
            summary=f"Removed {r.primary_id} from {r.course_label}",
            params={"user": users[r.primary_id].pk, "was": old, **source},
        )
        for r, _pk, old in deletes
    ]
    Event.objects.bulk_create(events, batch_size=BATCH)
