"""The user loader: people from the student information system, one CSV row each.

Columns (header row, comma-separated, names case-insensitive):

    primary_id (required, the key), username, first_name, last_name, preferred_name,
    email, role, status

- A column missing from the header leaves that field alone for people who exist
  already. A column that is present sets the field, and an empty cell clears it, except
  username, role and status, where an empty cell means "keep" for people who exist and
  the default (the primary id, student, ACTIVE) for new people.
- role is student, instructor, librarian or admin (any case). status is ACTIVE or
  INACTIVE (an inactive user cannot sign in).
- New people get an unusable password: they sign in through the institution's login
  or the LMS. A person a course or enrolment file named before ("pending") stops being
  pending once the user file names them.
- A username or e-mail address held by another person (one with another primary id)
  is a reject; the loader never merges two accounts. E-mail addresses compare without
  regard to case.

Also here: `pending_users_create`, which the other loaders use for people they name
and Lectio has not met.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from lectio.accounts.models import Role, User
from lectio.core.loading import (
    LoadOptions,
    LoadResult,
    Throttle,
    decode,
    read_dicts,
)
from lectio.core.models import Event

COLUMNS = (
    "primary_id",
    "username",
    "first_name",
    "last_name",
    "preferred_name",
    "email",
    "role",
    "status",
)
# Field name -> longest value the database holds.
MAX_LENGTHS = {
    "primary_id": 100,
    "username": 150,
    "first_name": 150,
    "last_name": 150,
    "preferred_name": 150,
    "email": 254,
}
STATUSES = {"ACTIVE": True, "INACTIVE": False}
_username_ok = UnicodeUsernameValidator()
BATCH = 1000


def _norm_email(value: str) -> str:
    return value.strip().lower()


@dataclass
class _Row:
    line: int
    primary_id: str
    values: dict[str, Any] = field(default_factory=dict)
    user: User | None = None
    changed: list[str] = field(default_factory=list)


def load_users(data: bytes, options: LoadOptions) -> LoadResult:
    """Validates the whole file, then creates and updates users in one transaction
    (see the module's docstring for the columns). Counts are what was, or in a dry
    run or a refused all-or-nothing run would have been, created / updated /
    unchanged; `applied` says whether anything was written."""
    result = LoadResult()
    header, rows = read_dicts(
        decode(data),
        result=result,
        delimiter=",",
        required=("primary_id",),
        known=COLUMNS,
    )
    present = set(header)
    parsed: list[_Row] = []
    first_line: dict[str, int] = {}
    for line, raw in rows:
        row = _parse_row(line, raw, present, result)
        if row is None:
            continue
        if row.primary_id in first_line:
            result.reject(
                line,
                f"primary id {row.primary_id} appears already on line "
                f"{first_line[row.primary_id]}",
                row.primary_id,
            )
            continue
        first_line[row.primary_id] = line
        parsed.append(row)

    parsed = _check_clashes(parsed, result)
    for row in parsed:
        _plan(row, result)

    if options.dry_run or (result.rejects and options.mode == "all_or_nothing"):
        return result
    todo = [row for row in parsed if row.user is None or row.changed]
    if todo:
        _apply(todo, options)
        result.applied = True
    return result


def _parse_row(
    line: int, raw: dict[str, str], present: set[str], result: LoadResult
) -> _Row | None:
    primary_id = raw.get("primary_id", "")
    if not primary_id:
        result.reject(line, "primary_id is empty")
        return None
    values: dict[str, Any] = {}
    problems: list[str] = []
    for name, limit in MAX_LENGTHS.items():
        if name in present and len(raw.get(name, "")) > limit:
            problems.append(f"{name} is longer than {limit} characters")
    username = raw.get("username", "")
    if username:
        try:
            _username_ok(username)
        except ValidationError:
            problems.append(
                f"username {username!r} may hold only letters, digits and @ . + - _"
            )
        values["username"] = username
    for name in ("first_name", "last_name", "preferred_name"):
        if name in present:
            values[name] = raw.get(name, "")
    if "email" in present:
        email = raw.get("email", "")
        if email:
            try:
                validate_email(email)
            except ValidationError:
                problems.append(f"email {email!r} is not an e-mail address")
        values["email"] = email
    role = raw.get("role", "")
    if role:
        if role.lower() not in Role.values:
            problems.append(
                f"unknown role {role!r}; one of {', '.join(Role.values)} is expected"
            )
        values["role"] = role.lower()
    status = raw.get("status", "")
    if status:
        if status.upper() not in STATUSES:
            problems.append(
                f"unknown status {status!r}; ACTIVE or INACTIVE is expected"
            )
        else:
            values["is_active"] = STATUSES[status.upper()]
    if problems:
        result.reject(line, "; ".join(problems), primary_id)
        return None
    return _Row(line, primary_id, values)


def _check_clashes(parsed: list[_Row], result: LoadResult) -> list[_Row]:
    """Attaches existing users and rejects usernames and e-mail addresses that
    another person holds (in the database or earlier in the file)."""
    existing: dict[str, User] = {}
    ids = [row.primary_id for row in parsed]
    for start in range(0, len(ids), BATCH):
        for user in User.objects.filter(primary_id__in=ids[start : start + BATCH]):
            existing[str(user.primary_id)] = user
    for row in parsed:
        row.user = existing.get(row.primary_id)
        if row.user is None:
            row.values.setdefault("username", row.primary_id)

    # Usernames and e-mails the rows would end with, checked against other people.
    usernames = {
        row.values["username"]
        for row in parsed
        if "username" in row.values
        and (row.user is None or row.user.username != row.values["username"])
    }
    emails = {
        _norm_email(row.values["email"])
        for row in parsed
        if row.values.get("email")
        and (
            row.user is None
            or _norm_email(row.user.email) != _norm_email(row.values["email"])
        )
    }
    holders_name: dict[str, str] = {}
    holders_mail: dict[str, str] = {}
    names_list, mails_list = sorted(usernames), sorted(emails)
    for start in range(0, max(len(names_list), len(mails_list)), BATCH):
        names = names_list[start : start + BATCH]
        mails = mails_list[start : start + BATCH]
        for username, email, primary_id in (
            User.objects.annotate(email_lower=Lower("email"))
            .filter(Q(username__in=names) | Q(email_lower__in=mails))
            .values_list("username", "email", "primary_id")
        ):
            who = primary_id or f"username {username}"
            if username in usernames:
                holders_name[username] = who
            if _norm_email(email) in emails:
                holders_mail.setdefault(_norm_email(email), who)

    kept: list[_Row] = []
    seen_name: dict[str, int] = {}
    seen_mail: dict[str, int] = {}
    for row in parsed:
        problems = []
        name_wanted = row.values.get("username")
        holder: str | None
        if name_wanted is not None:
            holder = holders_name.get(name_wanted)
            if holder is not None and holder != row.primary_id:
                problems.append(
                    f"username {name_wanted} belongs to another user ({holder})"
                )
            elif name_wanted in seen_name:
                problems.append(
                    f"username {name_wanted} is given on line {seen_name[name_wanted]} too"
                )
        email = _norm_email(row.values.get("email") or "")
        if email:
            holder = holders_mail.get(email)
            if holder is not None and holder != row.primary_id:
                problems.append(f"email {email} belongs to another user ({holder})")
            elif email in seen_mail:
                problems.append(
                    f"email {email} is given on line {seen_mail[email]} too"
                )
        if problems:
            result.reject(row.line, "; ".join(problems), row.primary_id)
            continue
        if name_wanted is not None:
            seen_name[name_wanted] = row.line
        if email:
            seen_mail[email] = row.line
        kept.append(row)
    return kept


def _plan(row: _Row, result: LoadResult) -> None:
    if row.user is None:
        result.counts["created"] += 1
        return
    wanted = dict(row.values)
    if row.user.pending:
        wanted["pending"] = False
    row.changed = [
        name for name, value in wanted.items() if getattr(row.user, name) != value
    ]
    result.counts["updated" if row.changed else "unchanged"] += 1


def _apply(rows: list[_Row], options: LoadOptions) -> None:
    tick = Throttle(options.progress, len(rows))
    actor_id = getattr(options.actor, "pk", None)
    with transaction.atomic():
        new = [
            User(
                primary_id=row.primary_id,
                password=make_password(None),
                role=row.values.get("role", Role.STUDENT),
                **{k: v for k, v in row.values.items() if k != "role"},
            )
            for row in rows
            if row.user is None
        ]
        User.objects.bulk_create(new, batch_size=BATCH)
        if any(row.user is None for row in rows):
            # bulk_create returns no ids on every database; read them back.
            made = dict(
                User.objects.filter(
                    primary_id__in=[u.primary_id for u in new]
                ).values_list("primary_id", "pk")
            )
        else:
            made = {}
        changed = [row for row in rows if row.user is not None]
        fields: set[str] = set()
        for row in changed:
            assert row.user is not None
            for name in row.changed:
                value = False if name == "pending" else row.values[name]
                setattr(row.user, name, value)
            fields.update(row.changed)
        if changed:
            User.objects.bulk_update(
                [row.user for row in changed if row.user is not None],
                sorted(fields),
                batch_size=BATCH,
            )
        now = timezone.now()
        events = [
            Event(
                created_at=now,
                actor_id=actor_id,
                verb="user.load",
                target_type="user",
                target_id=(row.user.pk if row.user else made.get(row.primary_id)),
                summary=(
                    f"Created the user {row.primary_id} from a user file"
                    if row.user is None
                    else f"Updated the user {row.primary_id} from a user file: "
                    + ", ".join(row.changed)
                ),
                params={"file": options.file_name, "changed": row.changed},
            )
            for row in rows
        ]
        Event.objects.bulk_create(events, batch_size=BATCH)
        tick(len(rows))


def pending_users_create(
    primary_ids: Iterable[str], *, role: str, actor: Any = None, source: str = ""
) -> dict[str, User]:
    """Makes a pending user (no password, username = primary id) for each id; call
    inside the loader's transaction after checking the ids are free (see
    `pending_user_problem`). Returns them by primary id."""
    ids = sorted(set(primary_ids))
    if not ids:
        return {}
    User.objects.bulk_create(
        [
            User(
                username=primary_id,
                primary_id=primary_id,
                password=make_password(None),
                role=role,
                pending=True,
            )
            for primary_id in ids
        ],
        batch_size=BATCH,
    )
    made = {str(u.primary_id): u for u in User.objects.filter(primary_id__in=ids)}
    actor_id = getattr(actor, "pk", None)
    Event.objects.bulk_create(
        [
            Event(
                actor_id=actor_id,
                verb="user.pending",
                target_type="user",
                target_id=made[primary_id].pk,
                summary=f"Created the pending user {primary_id} ({source})"[:500],
                params={"source": source},
            )
            for primary_id in ids
        ],
        batch_size=BATCH,
    )
    return made


def users_by_key(keys: Iterable[str]) -> dict[str, User]:
    """Users named by primary id or, failing that, by username (what other loaders'
    files use to name people), keyed by the name the file used."""
    wanted = sorted(set(keys))
    found: dict[str, User] = {}
    for start in range(0, len(wanted), BATCH):
        chunk = wanted[start : start + BATCH]
        for user in User.objects.filter(
            Q(primary_id__in=chunk) | Q(username__in=chunk)
        ):
            if user.primary_id in chunk:
                found[str(user.primary_id)] = user
            if user.username in chunk:
                found.setdefault(user.username, user)
    return found


def pending_user_problem(primary_id: str) -> str | None:
    """Why a pending user cannot be made for `primary_id`, or None."""
    if len(primary_id) > 100:
        return f"primary id {primary_id[:20]}... is longer than 100 characters"
    try:
        _username_ok(primary_id)
    except ValidationError:
        return (
            f"cannot make a user for {primary_id!r}: a primary id may hold only "
            "letters, digits and @ . + - _"
        )
    return None
