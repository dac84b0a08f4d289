"""Rollover: copying resource lists to the courses of a new term.

One code path for every caller (the course loader's ROLLOVER rows, the bulk page and
its background job, the command line, one list from its editor). The copy is
set-based: for each batch of lists, one INSERT ... SELECT per table (sections,
citations, citation tags, collaborators), old ids mapped to new ones through temporary
tables whose new ids are taken from the table's own sequence. It works inside the
caller's transaction, on SQLite and PostgreSQL.

What a rolled-over list keeps follows InstitutionSettings.rollover_*; due dates, list
and section dates, student marks and discussions, processing requests and usage
always start afresh. The ListRollover row (source list, new course) is unique, so a
second run never makes a second copy, even when two runs race.

Courses of two terms are matched (`term_pairs`) by, in order: the courses of the new
term whose rolled_from is the old course (the course loader's ROLLOVER rows); else by
course code: the only course of the new term with the old course's code, when the old
term has only one too; when a code has several sections, and as many in both terms,
the n-th section in section order goes to the n-th (code and section are unique
together, so the same code and section in two terms is one course, which is never
its own target). Anything else is reported, not guessed.
"""

from __future__ import annotations

import json
import secrets
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from lectio.accounts.models import InstitutionSettings
from lectio.core.loading import ProgressFn, no_progress
from lectio.core.models import Event, Job
from lectio.courses.models import Course, Term
from lectio.lists.models import (
    Availability,
    Citation,
    CitationFile,
    CitationStatusRule,
    Collaborator,
    CollaboratorRight,
    ListRollover,
    ReadingList,
    Section,
    Tag,
    TagKind,
)
from lectio.lists.services import ServiceError
from lectio.lists.statuses import (
    CitationStatus,
    CopyrightStatus,
    ListStatus,
    PublicationStatus,
)

__all__ = [
    "RolloverItem",
    "RolloverReport",
    "TermPlan",
    "course_by_label",
    "rollover_courses",
    "rollover_list",
    "rollover_terms",
    "run_job",
    "term_pairs",
]

# Lists copied per set of statements; also the unit of progress.
BATCH = 2000
EVENT_VERB = "list.rollover"

# Outcomes of one source list.
CREATE = "create"  # dry run: would be created
CREATED = "created"
ALREADY = "already"  # rolled over to that course before
NO_MATCH = "no_match"  # its course has no course in the new term


@dataclass
class RolloverItem:
    source_id: int
    source_code: str
    source_name: str
    outcome: str
    course_ids: list[int] = field(default_factory=list)
    course_labels: list[str] = field(default_factory=list)
    target_id: int | None = None
    target_code: str = ""
    citations: int = 0
    reason: str = ""


@dataclass
class RolloverReport:
    created: int = 0  # lists made (or, in a dry run, that would be made)
    already: int = 0  # lists skipped: rolled over to all their courses before
    citations: int = 0  # citations copied (or that would be)
    unmatched: int = 0  # lists whose course has no match in the new term
    dry_run: bool = False
    items: list[RolloverItem] = field(default_factory=list)

    def counts_dict(self) -> dict[str, int]:
        return {
            "rolled_over": self.created,
            "already": self.already,
            "citations": self.citations,
            "unmatched": self.unmatched,
        }

    def merge(self, other: RolloverReport) -> None:
        self.created += other.created
        self.already += other.already
        self.citations += other.citations
        self.unmatched += other.unmatched
        self.items.extend(other.items)


# --- planning ------------------------------------------------------------------------


@dataclass
class _Source:
    id: int
    code: str
    name: str
    courses: set[int] = field(default_factory=set)  # new courses still to get a copy
    already: dict[int, tuple[int, str]] = field(default_factory=dict)


def _chunks(seq: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(seq), size):
        yield seq[start : start + size]


def _plan(pairs: Sequence[tuple[int, int]], *, newest_only: bool) -> list[_Source]:
    """Source lists in id order, each with the new courses it goes to."""
    new_by_old: dict[int, set[int]] = defaultdict(set)
    for old, new in pairs:
        if old != new:
            new_by_old[old].add(new)
    through = ReadingList.courses.through
    links: list[tuple[int, int]] = []
    for chunk in _chunks(sorted(new_by_old), 2000):
        links += list(
            through.objects.filter(course_id__in=chunk).values_list(
                "readinglist_id", "course_id"
            )
        )
    list_ids = sorted({list_id for list_id, _course in links})
    rows: dict[int, tuple[str, str, Any]] = {}
    for chunk in _chunks(list_ids, 2000):
        for pk, code, name, created in ReadingList.objects.filter(
            pk__in=chunk
        ).values_list("pk", "code", "name", "created_at"):
            rows[pk] = (code, name, created)
    if newest_only:
        newest: dict[int, int] = {}
        for list_id, course_id in links:
            best = newest.get(course_id)
            if best is None or (rows[list_id][2], list_id) > (rows[best][2], best):
                newest[course_id] = list_id
        links = [(list_id, course_id) for course_id, list_id in newest.items()]
    sources: dict[int, _Source] = {}
    for list_id, old_course in links:
        code, name, _created = rows[list_id]
        source = sources.setdefault(list_id, _Source(list_id, code, name))
        source.courses |= new_by_old[old_course]
    # Pairs rolled over before: skipped, and remembered for the report.
    for chunk in _chunks(sorted(sources), 2000):
        for source_id, course_id, target_id, target_code in ListRollover.objects.filter(
            source_id__in=chunk
        ).values_list("source_id", "course_id", "target_id", "target__code"):
            source = sources[source_id]
            if course_id in source.courses:
                source.courses.discard(course_id)
                source.already[course_id] = (target_id, target_code)
    return [sources[pk] for pk in sorted(sources)]


def _labels(course_ids: Iterable[int]) -> dict[int, str]:
    ids = sorted(set(course_ids))
    labels: dict[int, str] = {}
    for chunk in _chunks(ids, 2000):
        for pk, code, section in Course.objects.filter(pk__in=chunk).values_list(
            "pk", "code", "section"
        ):
            labels[pk] = f"{code}-{section}" if section else code
    return labels


def _citation_counts(list_ids: Sequence[int]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for chunk in _chunks(list(list_ids), 2000):
        counts.update(
            Citation.objects.filter(reading_list_id__in=chunk)
            .values_list("reading_list_id")
            .annotate(n=Count("id"))
            .values_list("reading_list_id", "n")
        )
    return counts


# --- the entry points ------------------------------------------------------------------


def rollover_courses(
    pairs: Sequence[tuple[int, int]],
    *,
    actor: Any = None,
    newest_only: bool = False,
    dry_run: bool = False,
    progress: ProgressFn = no_progress,
) -> RolloverReport:
    """Copies every list of each old course (or only its newest, by creation time) to
    the new course of its pair, unless that list went to that course before. A list
    serving several old courses is copied once, to all their new courses. Runs in the
    caller's transaction (or its own); a dry run writes nothing and reports the plan."""
    report = RolloverReport(dry_run=dry_run)
    sources = _plan(pairs, newest_only=newest_only)
    labels = _labels(c for s in sources for c in (*s.courses, *s.already))
    todo = [s for s in sources if s.courses]
    for source in sources:
        if source.already and not source.courses:
            report.already += 1  # lists, like `created`; the items name each course
        for course_id, (target_id, target_code) in sorted(source.already.items()):
            report.items.append(
                RolloverItem(
                    source_id=source.id,
                    source_code=source.code,
                    source_name=source.name,
                    outcome=ALREADY,
                    course_ids=[course_id],
                    course_labels=[labels.get(course_id, "")],
                    target_id=target_id,
                    target_code=target_code,
                )
            )
    if dry_run:
        counts = _citation_counts([s.id for s in todo])
        for source in todo:
            courses = sorted(source.courses)
            report.created += 1
            report.citations += counts.get(source.id, 0)
            report.items.append(
                RolloverItem(
                    source_id=source.id,
                    source_code=source.code,
                    source_name=source.name,
                    outcome=CREATE,
                    course_ids=courses,
                    course_labels=[labels.get(c, "") for c in courses],
                    citations=counts.get(source.id, 0),
                )
            )
        return report
    if not todo:
        progress(0, 0)
        return report
    policy = InstitutionSettings.current()
    done = 0
    for batch in _chunks(todo, BATCH):
        with transaction.atomic():
            made = _copy_batch(list(batch), actor=actor, policy=policy, labels=labels)
        for item in made:
            report.created += 1
            report.citations += item.citations
            report.items.append(item)
        report.already += len(batch) - len(made)
        done += len(batch)
        progress(done, len(todo))
    return report


def rollover_list(
    reading_list: ReadingList, course: Course, *, actor: Any
) -> ReadingList:
    """Copies one list to `course` for its owner (the view checks the right). The
    person rolling it over is an owner of the copy. Refuses a second copy to the same
    course."""
    if reading_list.courses.filter(pk=course.pk).exists():
        raise ServiceError(
            _("The list already serves %(course)s.") % {"course": course.label}
        )
    with transaction.atomic():
        existing = ListRollover.objects.filter(
            source=reading_list, course=course
        ).first()
        if existing is not None:
            raise ServiceError(
                _("This list was rolled over to %(course)s already: %(code)s.")
                % {"course": course.label, "code": existing.target.code}
            )
        source = _Source(
            reading_list.pk, reading_list.code, reading_list.name, {course.pk}
        )
        policy = InstitutionSettings.current()
        made = _copy_batch(
            [source], actor=actor, policy=policy, labels={course.pk: course.label}
        )
        if not made:
            raise ServiceError(
                _("This list was rolled over to %(course)s already.")
                % {"course": course.label}
            )
        assert made[0].target_id is not None
        copy = ReadingList.objects.get(pk=made[0].target_id)
        if getattr(actor, "is_authenticated", False) and not (
            actor.is_library_staff or actor.is_superuser
        ):
            Collaborator.objects.update_or_create(
                reading_list=copy,
                user=actor,
                defaults={"right": CollaboratorRight.OWNER},
            )
    return copy


# --- the copy ----------------------------------------------------------------------


def _new_codes(n: int) -> list[str]:
    """Fresh list codes, none taken."""
    codes: list[str] = []
    while len(codes) < n:
        wanted = {"RL-" + secrets.token_hex(5).upper() for _ in range(n - len(codes))}
        taken = set(
            ReadingList.objects.filter(code__in=wanted).values_list("code", flat=True)
        )
        codes += sorted(wanted - taken - set(codes))
    return codes[:n]


def _copy_batch(
    sources: list[_Source],
    *,
    actor: Any,
    policy: InstitutionSettings,
    labels: dict[int, str],
) -> list[RolloverItem]:
    """Copies `sources` in one savepoint. When a concurrent run has claimed one of the
    (list, course) pairs meanwhile, the unique constraint refuses our ListRollover
    row: the batch is rolled back and tried again without the claimed pairs."""
    for _attempt in range(3):
        try:
            with transaction.atomic():
                return _copy(sources, actor=actor, policy=policy, labels=labels)
        except IntegrityError:
            claimed = set(
                ListRollover.objects.filter(
                    source_id__in=[s.id for s in sources]
                ).values_list("source_id", "course_id")
            )
            if not claimed:
                raise
            for source in sources:
                source.courses = {
                    c for c in source.courses if (source.id, c) not in claimed
                }
            sources = [s for s in sources if s.courses]
            if not sources:
                return []
    raise IntegrityError("rollover: pairs kept being claimed by another run")


def _copy(
    sources: list[_Source],
    *,
    actor: Any,
    policy: InstitutionSettings,
    labels: dict[int, str],
) -> list[RolloverItem]:
    actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
    present = set(
        ReadingList.objects.filter(pk__in=[s.id for s in sources]).values_list(
            "pk", flat=True
        )
    )
    sources = [s for s in sources if s.id in present]
    if not sources:
        return []
    codes = _new_codes(len(sources))
    copy = _SqlCopy(connection.vendor, now=timezone.now(), actor_id=actor_id)
    new_of, counts = copy.run(sources, codes, policy)
    copy.events(sources, new_of, counts, labels)
    return [
        RolloverItem(
            source_id=s.id,
            source_code=s.code,
            source_name=s.name,
            outcome=CREATED,
            course_ids=sorted(s.courses),
            course_labels=[labels.get(c, "") for c in sorted(s.courses)],
            target_id=new_of[s.id],
            target_code=code,
            citations=counts.get(s.id, 0),
        )
        for s, code in zip(sources, codes, strict=True)
    ]


class _SqlCopy:
    """The statements of one batch: the new lists, their rollover rows and courses,
    then INSERT ... SELECT per table through temporary old id -> new id maps."""

    MAPS = {
        "lectio_rollover_lists": "old_id {int} PRIMARY KEY, new_id {int} NOT NULL, "
        "code varchar(100) NOT NULL",
        "lectio_rollover_pairs": "old_id {int} NOT NULL, course_id {int} NOT NULL",
        "lectio_rollover_sections": "old_id {int} PRIMARY KEY, new_id {int} NOT NULL",
        "lectio_rollover_citations": "old_id {int} PRIMARY KEY, new_id {int} NOT NULL",
    }

    def __init__(self, vendor: str, *, now: Any, actor_id: int | None) -> None:
        self.pg = vendor == "postgresql"
        # SQLite has no statistics on the maps and may scan the big table instead:
        # CROSS JOIN makes the map the outer loop (its only meaning in SQLite).
        self.join = "JOIN" if self.pg else "CROSS JOIN"
        self.now = connection.ops.adapt_datetimefield_value(now)
        self.actor_id = actor_id
        self.q = connection.ops.quote_name

    def run(
        self, sources: list[_Source], codes: list[str], policy: InstitutionSettings
    ) -> tuple[dict[int, int], dict[int, int]]:
        """Copies the lists of `sources` (with new `codes`) and their sections,
        citations, tags and collaborators; returns old id -> new id and the
        citations copied per old list."""
        with connection.cursor() as cur:
            self.cur = cur
            self._maps()
            new_ids = self._take_ids(ReadingList._meta.db_table, len(sources))
            new_of = {s.id: new for s, new in zip(sources, new_ids, strict=True)}
            cur.executemany(
                "INSERT INTO lectio_rollover_lists (old_id, new_id, code) "
                "VALUES (%s, %s, %s)",
                [(s.id, new_of[s.id], c) for s, c in zip(sources, codes, strict=True)],
            )
            cur.executemany(
                "INSERT INTO lectio_rollover_pairs (old_id, course_id) VALUES (%s, %s)",
                [(s.id, course) for s in sources for course in sorted(s.courses)],
            )
            self._lists(policy)
            # First the rows the unique constraint guards, so a pair a concurrent run
            # claimed fails the batch before anything big is copied.
            self._rollovers()
            self._allocate(
                "lectio_rollover_sections",
                Section._meta.db_table,
                f"SELECT s.id FROM lectio_rollover_lists ml {self.join} "
                f"{Section._meta.db_table} s ON s.reading_list_id = ml.old_id",
            )
            self._allocate(
                "lectio_rollover_citations",
                Citation._meta.db_table,
                f"SELECT c.id FROM lectio_rollover_lists ml {self.join} "
                f"{Citation._meta.db_table} c ON c.reading_list_id = ml.old_id",
            )
            if self.pg:
                for table in self.MAPS:
                    cur.execute(f"ANALYZE {table}")
            self._sections()
            self._citations(policy)
            self._tags(policy)
            self._files()
            if policy.rollover_copy_collaborators:
                self._collaborators()
            cur.execute(
                "SELECT c.reading_list_id, COUNT(*) FROM lectio_rollover_lists ml "
                f"{self.join} {Citation._meta.db_table} c "
                "ON c.reading_list_id = ml.old_id GROUP BY c.reading_list_id"
            )
            return new_of, dict(cur.fetchall())

    def _maps(self) -> None:
        kind = "bigint" if self.pg else "integer"
        for table, columns in self.MAPS.items():
            self.cur.execute(
                f"CREATE TEMP TABLE IF NOT EXISTS {table} ({columns.format(int=kind)})"
            )
            self.cur.execute(f"DELETE FROM {table}")

    def _take_ids(self, table: str, n: int) -> list[int]:
        """`n` new ids for `table`, as _allocate takes them."""
        if self.pg:
            self.cur.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            (seq,) = self.cur.fetchone()
            self.cur.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [seq, n])
            return sorted(row[0] for row in self.cur.fetchall())
        base = self._sqlite_base(table)
        return list(range(base + 1, base + n + 1))

    def _sqlite_base(self, table: str) -> int:
        self.cur.execute(
            f"SELECT MAX(COALESCE((SELECT MAX(id) FROM {table}), 0), "
            "COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0))",
            [table],
        )
        return int(self.cur.fetchone()[0])

    def _allocate(self, map_table: str, table: str, select_old: str) -> None:
        """New ids for the rows `select_old` returns: from the table's sequence on
        PostgreSQL (safe beside other writers); past the highest id ever used on
        SQLite (the IMMEDIATE transaction holds the only write lock)."""
        if self.pg:
            self.cur.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            (seq,) = self.cur.fetchone()
            self.cur.execute(
                f"INSERT INTO {map_table} (old_id, new_id) "
                f"SELECT o.id, nextval(%s) FROM ({select_old}) o",
                [seq],
            )
            return
        self.cur.execute(
            f"INSERT INTO {map_table} (old_id, new_id) "
            f"SELECT o.id, %s + ROW_NUMBER() OVER (ORDER BY o.id) FROM ({select_old}) o",
            [self._sqlite_base(table)],
        )

    def _lists(self, policy: InstitutionSettings) -> None:
        t = ReadingList._meta.db_table
        syllabus = "rl.syllabus" if policy.rollover_copy_syllabus else "''"
        private = "rl.instructor_note" if policy.rollover_copy_library_tags else "''"
        library = "rl.library_note" if policy.rollover_copy_library_tags else "''"
        self.cur.execute(
            f"INSERT INTO {t} (id, code, name, description, status, "
            "publication_status, visibility, material_access, due_back_date, "
            "assigned_librarian_id, processing_department_id, locked, syllabus, "
            "subjects, instructor_note, library_note, rolled_from_id, "
            "sent_to_library_at, sent_to_library_by_id, published_at, "
            "library_alert_at, library_seen_at, created_by_id, created_at, "
            "updated_at, version, content_version) "
            "SELECT ml.new_id, ml.code, rl.name, rl.description, %s, %s, "
            "rl.visibility, rl.material_access, NULL, NULL, "
            f"rl.processing_department_id, %s, {syllabus}, rl.subjects, {private}, "
            f"{library}, rl.id, NULL, NULL, NULL, NULL, NULL, %s, %s, %s, 1, 1 "
            f"FROM lectio_rollover_lists ml {self.join} {t} rl ON rl.id = ml.old_id",
            [
                str(ListStatus.ROLLED_OVER),
                str(PublicationStatus.DRAFT),
                False,
                self.actor_id,
                self.now,
                self.now,
            ],
        )

    def _rollovers(self) -> None:
        self.cur.execute(
            f"INSERT INTO {ListRollover._meta.db_table} "
            "(source_id, course_id, target_id, created_at, created_by_id) "
            "SELECT p.old_id, p.course_id, ml.new_id, %s, %s "
            "FROM lectio_rollover_pairs p "
            "JOIN lectio_rollover_lists ml ON ml.old_id = p.old_id",
            [self.now, self.actor_id],
        )
        self.cur.execute(
            f"INSERT INTO {ReadingList.courses.through._meta.db_table} "
            "(readinglist_id, course_id) SELECT ml.new_id, p.course_id "
            "FROM lectio_rollover_pairs p "
            "JOIN lectio_rollover_lists ml ON ml.old_id = p.old_id"
        )

    def events(
        self,
        sources: list[_Source],
        new_of: dict[int, int],
        counts: dict[int, int],
        labels: dict[int, str],
    ) -> None:
        """One audit row per new list (not per citation)."""
        rows = []
        for s in sources:
            courses = [labels.get(c, "") for c in sorted(s.courses)]
            summary = _("Rolled over from %(code)s to %(courses)s") % {
                "code": s.code,
                "courses": ", ".join(courses),
            }
            params = {
                "source": s.id,
                "source_code": s.code,
                "courses": courses,
                "citations": counts.get(s.id, 0),
            }
            rows.append(
                (
                    self.now,
                    self.actor_id,
                    EVENT_VERB,
                    "list",
                    new_of[s.id],
                    new_of[s.id],
                    summary[:500],
                    json.dumps(params),
                )
            )
        cast = "::jsonb" if self.pg else ""
        with connection.cursor() as cur:
            cur.executemany(
                f"INSERT INTO {Event._meta.db_table} (created_at, actor_id, verb, "
                "target_type, target_id, list_id, summary, params) "
                f"VALUES (%s, %s, %s, %s, %s, %s, %s, %s{cast})",
                rows,
            )

    def _sections(self) -> None:
        t = Section._meta.db_table
        self.cur.execute(
            f"INSERT INTO {t} (id, reading_list_id, name, description, start_date, "
            "end_date, tags, position, visible, is_default, version) "
            "SELECT ms.new_id, ml.new_id, s.name, s.description, NULL, NULL, s.tags, "
            "s.position, s.visible, s.is_default, 1 FROM lectio_rollover_sections ms "
            f"{self.join} {t} s ON s.id = ms.old_id "
            f"{self.join} lectio_rollover_lists ml ON ml.old_id = s.reading_list_id"
        )

    def _citations(self, policy: InstitutionSettings) -> None:
        t = Citation._meta.db_table
        params: list[Any] = []
        if policy.rollover_recalculate_statuses:
            status_sql, status_params = self.status_sql()
            decline = "''"
        else:
            status_sql, status_params = "c.status", []
            decline = "c.decline_reason"
        public = "c.public_note" if policy.rollover_copy_public_notes else "''"
        private = "c.instructor_note" if policy.rollover_copy_library_tags else "''"
        library = "c.library_note" if policy.rollover_copy_library_tags else "''"
        params += status_params
        params += [
            CopyrightStatus.CREATIVE_COMMONS,
            CopyrightStatus.CREATIVE_COMMONS,
            CopyrightStatus.NOT_DETERMINED,
            self.now,
            self.now,
        ]
        self.cur.execute(
            f"INSERT INTO {t} (id, reading_list_id, section_id, position, "
            "material_type, secondary_type, metadata, title, author, catalog_record_id, "
            "external_id, public_note, instructor_note, library_note, status, "
            "decline_reason, copyright_status, license_type, due_date, rendered_html, "
            "rendered_style, created_by_id, created_at, updated_at, version) "
            "SELECT mc.new_id, ml.new_id, ms.new_id, c.position, c.material_type, "
            "c.secondary_type, c.metadata, c.title, c.author, c.catalog_record_id, "
            f"c.external_id, {public}, {private}, {library}, {status_sql}, "
            f"{decline}, CASE WHEN c.copyright_status = %s THEN %s ELSE %s END, "
            "c.license_type, NULL, c.rendered_html, c.rendered_style, c.created_by_id, "
            "%s, %s, 1 FROM lectio_rollover_citations mc "
            f"{self.join} {t} c ON c.id = mc.old_id "
            f"{self.join} lectio_rollover_lists ml ON ml.old_id = c.reading_list_id "
            f"{self.join} lectio_rollover_sections ms ON ms.old_id = c.section_id",
            params,
        )

    def _tags(self, policy: InstitutionSettings) -> None:
        kinds = []
        if policy.rollover_copy_public_notes:
            kinds.append(TagKind.PUBLIC)
        if policy.rollover_copy_library_tags:
            kinds += [TagKind.INSTRUCTOR_LIBRARY, TagKind.LIBRARY_INTERNAL]
        if not kinds:
            return
        through = Citation.tags.through._meta.db_table
        marks = ", ".join(["%s"] * len(kinds))
        self.cur.execute(
            f"INSERT INTO {through} (citation_id, tag_id) "
            "SELECT mc.new_id, ct.tag_id FROM lectio_rollover_citations mc "
            f"{self.join} {through} ct ON ct.citation_id = mc.old_id "
            f"{self.join} {Tag._meta.db_table} tg ON tg.id = ct.tag_id "
            f"WHERE tg.kind IN ({marks})",
            [str(k) for k in kinds],
        )

    def _files(self) -> None:
        """The copies name the same stored files (removed once no row names them)."""
        t = CitationFile._meta.db_table
        self.cur.execute(
            f"INSERT INTO {t} (citation_id, file, name, kind, content_type, size, "
            "sha256, copyright, uploaded_by_id, uploaded_at) "
            "SELECT mc.new_id, f.file, f.name, f.kind, f.content_type, f.size, "
            "f.sha256, f.copyright, f.uploaded_by_id, f.uploaded_at "
            f"FROM lectio_rollover_citations mc {self.join} {t} f "
            "ON f.citation_id = mc.old_id ORDER BY f.id",
        )

    def _collaborators(self) -> None:
        t = Collaborator._meta.db_table
        right = self.q("right")
        self.cur.execute(
            f"INSERT INTO {t} (reading_list_id, user_id, {right}, created_at) "
            f"SELECT ml.new_id, co.user_id, co.{right}, %s "
            f"FROM lectio_rollover_lists ml {self.join} {t} co "
            "ON co.reading_list_id = ml.old_id",
            [self.now],
        )

    # -- the status rules in SQL --------------------------------------------------

    def status_sql(self) -> tuple[str, list[Any]]:
        """lectio.lists.rules.rule_status as one CASE over the citation row `c` (with
        its file): a rolled-over list is not with the library, so an item no rule
        matches starts BeingPrepared. Inactive items stay Inactive."""
        sql = ["CASE WHEN c.status = %s THEN %s"]
        params: list[Any] = [CitationStatus.INACTIVE, CitationStatus.INACTIVE]
        for rule in CitationStatusRule.objects.filter(enabled=True).order_by(
            "position", "id"
        ):
            conds = []
            if rule.material_type:
                conds.append("c.material_type = %s")
                params.append(rule.material_type)
            if rule.availability:
                conds.append(self._availability(rule.availability))
            sql.append(f"WHEN {' AND '.join(conds) or '1 = 1'} THEN %s")
            params.append(rule.status)
        sql.append("ELSE %s END")
        params.append(CitationStatus.BEING_PREPARED)
        return " ".join(sql), [str(p) for p in params]

    def _availability(self, availability: str) -> str:
        if availability == Availability.FILE:
            files = CitationFile._meta.db_table
            return f"EXISTS (SELECT 1 FROM {files} cf WHERE cf.citation_id = c.id)"
        if availability == Availability.HAS_URL:
            url = (
                "LOWER(COALESCE(c.metadata ->> 'URL', ''))"
                if self.pg
                else "LOWER(COALESCE(json_extract(c.metadata, '$.URL'), ''))"
            )
            return f"({url} LIKE 'http://%%' OR {url} LIKE 'https://%%')"
        if availability == Availability.OPEN_ACCESS:
            if self.pg:
                nested = self._pg_truthy("c.metadata -> 'lectio' -> 'open_access'")
                flat = self._pg_truthy("c.metadata -> 'open-access'")
            else:
                nested = self._sqlite_truthy("$.lectio.open_access")
                flat = self._sqlite_truthy('$."open-access"')
            return f"({nested} OR {flat})"
        return "1 = 0"

    @staticmethod
    def _pg_truthy(value: str) -> str:
        """Python's truth of a JSON value (false, null, 0, "", [] and {} are false)."""
        falsy = ", ".join(
            f"'{v}'::jsonb" for v in ("false", "null", "0", '""', "[]", "{}")
        )
        return f"COALESCE(({value}) NOT IN ({falsy}), FALSE)"

    @staticmethod
    def _sqlite_truthy(path: str) -> str:
        v = f"json_extract(c.metadata, '{path}')"
        return (
            f"(CASE json_type(c.metadata, '{path}') WHEN 'true' THEN 1 "
            f"WHEN 'integer' THEN {v} <> 0 WHEN 'real' THEN {v} <> 0 "
            f"WHEN 'text' THEN {v} <> '' "
            f"WHEN 'array' THEN json_array_length(c.metadata, '{path}') > 0 "
            f"WHEN 'object' THEN {v} <> '{{}}' ELSE 0 END)"
        )


def course_by_label(text: str) -> Course | None:
    """CODE, or CODE-SECTION (a code may hold hyphens itself: every split is tried)."""
    text = text.strip()
    if not text:
        return None
    query = Q(code=text, section="")
    for at in (i for i, ch in enumerate(text) if ch == "-"):
        query |= Q(code=text[:at], section=text[at + 1 :])
    matches = list(Course.objects.filter(query)[:2])
    if len(matches) == 1:
        return matches[0]
    # A bare code with sections only: the one section there is.
    if not matches:
        sections = list(Course.objects.filter(code=text)[:2])
        if len(sections) == 1:
            return sections[0]
    return None


# --- terms -----------------------------------------------------------------------


@dataclass
class TermPlan:
    pairs: list[tuple[int, int]] = field(default_factory=list)
    # Courses of the old term with no course to go to: (course id, label, reason).
    unmatched: list[tuple[int, str, str]] = field(default_factory=list)


def term_pairs(from_term: Term, to_term: Term) -> TermPlan:
    """Matches the courses of `from_term` to those of `to_term` (the rule is in the
    module's docstring). A course in both terms is never its own target."""
    old = list(
        Course.objects.filter(terms=from_term)
        .order_by("code", "section", "pk")
        .values_list("pk", "code", "section")
    )
    new = list(
        Course.objects.filter(terms=to_term)
        .order_by("code", "section", "pk")
        .values_list("pk", "code", "section", "rolled_from_id")
    )
    old_ids = {pk for pk, _c, _s in old}
    new_ids = {pk for pk, _c, _s, _r in new}
    linked: dict[int, list[int]] = defaultdict(list)
    new_by_code: dict[str, list[int]] = defaultdict(list)
    for pk, code, _section, rolled_from in new:
        if pk in old_ids:
            continue
        if rolled_from in old_ids:
            linked[rolled_from].append(pk)
        new_by_code[code].append(pk)
    old_by_code: dict[str, list[int]] = defaultdict(list)
    for pk, code, _section in old:
        if pk not in new_ids:
            old_by_code[code].append(pk)
    plan = TermPlan()
    for pk, code, section in old:
        label = f"{code}-{section}" if section else code
        if pk in new_ids:
            plan.unmatched.append(
                (pk, label, _("The course runs in both terms; its lists serve it."))
            )
            continue
        if linked.get(pk):
            plan.pairs += [(pk, target) for target in linked[pk]]
            continue
        candidates = new_by_code.get(code, [])
        siblings = old_by_code[code]
        if len(candidates) == 1 and len(siblings) == 1:
            plan.pairs.append((pk, candidates[0]))
        elif candidates and len(candidates) == len(siblings):
            # Code and section are unique together, so a section of the new term
            # never equals one of the old: the n-th section goes to the n-th.
            plan.pairs.append((pk, candidates[siblings.index(pk)]))
        elif not candidates:
            plan.unmatched.append(
                (
                    pk,
                    label,
                    _("No course with the code %(code)s in %(term)s.")
                    % {"code": code, "term": to_term.name},
                )
            )
        else:
            plan.unmatched.append(
                (
                    pk,
                    label,
                    _(
                        "%(new)d sections of %(code)s in %(term)s for %(old)d in "
                        "%(from)s: which goes where is not clear."
                    )
                    % {
                        "new": len(candidates),
                        "old": len(siblings),
                        "code": code,
                        "term": to_term.name,
                        "from": from_term.name,
                    },
                )
            )
    return plan


def rollover_terms(
    from_term: Term,
    to_term: Term,
    *,
    actor: Any = None,
    newest_only: bool = False,
    dry_run: bool = False,
    progress: ProgressFn = no_progress,
) -> RolloverReport:
    """Rolls every list of the old term's courses over to the matching courses of the
    new term. Lists of unmatched courses are reported, not copied. Outside a
    transaction each batch commits on its own (progress shows, and a run stopped half
    way is finished by running it again)."""
    plan = term_pairs(from_term, to_term)
    report = rollover_courses(
        plan.pairs,
        actor=actor,
        newest_only=newest_only,
        dry_run=dry_run,
        progress=progress,
    )
    if plan.unmatched:
        reasons = {pk: (label, reason) for pk, label, reason in plan.unmatched}
        through = ReadingList.courses.through
        links: list[tuple[int, int, str, str, Any]] = []
        for chunk in _chunks(sorted(reasons), 2000):
            links += list(
                through.objects.filter(course_id__in=chunk).values_list(
                    "course_id",
                    "readinglist_id",
                    "readinglist__code",
                    "readinglist__name",
                    "readinglist__created_at",
                )
            )
        if newest_only:
            newest: dict[int, tuple[int, int, str, str, Any]] = {}
            for link in links:
                best = newest.get(link[0])
                if best is None or (link[4], link[1]) > (best[4], best[1]):
                    newest[link[0]] = link
            links = list(newest.values())
        for course_id, list_id, code, name, _created in sorted(links):
            label, reason = reasons[course_id]
            report.unmatched += 1
            report.items.append(
                RolloverItem(
                    source_id=list_id,
                    source_code=code,
                    source_name=name,
                    outcome=NO_MATCH,
                    reason=f"{label}: {reason}",
                )
            )
    return report


def _term(value: Any) -> Term:
    if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
        term = Term.objects.filter(pk=int(value)).first()
        if term is not None:
            return term
    term = Term.objects.filter(code=str(value)).first()
    if term is None:
        raise ServiceError(_("There is no term %(term)s.") % {"term": value})
    return term


def run_job(job: Job, progress: ProgressFn) -> None:
    """Job kind "rollover": options from_term, to_term (id or code), newest_only,
    dry_run. Fills job.counts, job.rejects (courses with no match) and job.message."""
    opts = job.options
    from_term = _term(opts.get("from_term"))
    to_term = _term(opts.get("to_term"))
    dry_run = bool(opts.get("dry_run"))
    report = rollover_terms(
        from_term,
        to_term,
        actor=job.created_by,
        newest_only=bool(opts.get("newest_only")),
        dry_run=dry_run,
        progress=progress,
    )
    job.counts = report.counts_dict()
    job.rejects = [
        {"line": 0, "key": item.source_code, "reason": item.reason}
        for item in report.items
        if item.outcome == NO_MATCH
    ]
    job.message = report_summary(report, from_term=from_term, to_term=to_term)


def report_summary(report: RolloverReport, *, from_term: Term, to_term: Term) -> str:
    if report.dry_run:
        lists = ngettext(
            "%(created)d list would be rolled over",
            "%(created)d lists would be rolled over",
            report.created,
        )
    else:
        lists = ngettext(
            "%(created)d list rolled over",
            "%(created)d lists rolled over",
            report.created,
        )
    citations = ngettext(
        "%(citations)d citation", "%(citations)d citations", report.citations
    )
    return _(
        "%(from)s to %(to)s: %(lists)s with %(citations)s; %(already)d rolled over "
        "before; %(unmatched)d with no matching course."
    ) % {
        "from": from_term.name,
        "to": to_term.name,
        "lists": lists % {"created": report.created},
        "citations": citations % {"citations": report.citations},
        "already": report.already,
        "unmatched": report.unmatched,
    }


def report_as_dict(report: RolloverReport) -> dict[str, Any]:
    return {**report.counts_dict(), "items": [asdict(i) for i in report.items]}
