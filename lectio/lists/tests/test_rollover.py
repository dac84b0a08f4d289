"""Rollover: what a rolled-over list keeps and what starts afresh, the status rules,
re-runs, the term mapping and the background job."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.db import IntegrityError

from lectio.accounts.models import InstitutionSettings, Role, User
from lectio.catalog.models import Record
from lectio.core.factories import CourseFactory, TermFactory, UserFactory, enrol
from lectio.core.jobs import job_create, job_execute
from lectio.core.models import Event, JobState
from lectio.courses.models import Course, CourseRole, Term
from lectio.lists import rollover
from lectio.lists.models import (
    Availability,
    Citation,
    CitationFile,
    CitationInteraction,
    CitationStatusRule,
    Collaborator,
    CollaboratorRight,
    ListRollover,
    MaterialType,
    ReadingList,
    Section,
    Tag,
    TagKind,
)
from lectio.lists.rules import rule_status
from lectio.lists.services import ServiceError
from lectio.lists.statuses import (
    CitationStatus,
    CopyrightStatus,
    ListStatus,
    MaterialAccess,
    PublicationStatus,
    Visibility,
)
from lectio.lists.tests.conftest import db_state
from lectio.workflow.models import Message

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 10, 5)


def tag(kind: str, name: str) -> Tag:
    return Tag.objects.get_or_create(kind=kind, name=name)[0]


def build_list(
    owner: User,
    course: Course,
    *,
    code: str = "HIST101-AUT",
    n_citations: int = 3,
    **fields: Any,
) -> ReadingList:
    """A list with every field rollover decides about set to something."""
    rl = ReadingList.objects.create(
        code=code,
        name=f"Reading for {code}",
        description="What to read",
        status=ListStatus.COMPLETE,
        publication_status=PublicationStatus.PUBLISHED,
        visibility=Visibility.INSTITUTION,
        material_access=MaterialAccess.COURSE,
        due_back_date=DAY,
        assigned_librarian=UserFactory.create(role=Role.LIBRARIAN),
        processing_department=course.processing_department,
        subjects=["History"],
        instructor_note="For the library",
        library_note="Library only",
        sent_to_library_at=datetime.datetime(2026, 9, 1, tzinfo=datetime.UTC),
        sent_to_library_by=owner,
        published_at=datetime.datetime(2026, 9, 2, tzinfo=datetime.UTC),
        library_alert_at=datetime.datetime(2026, 9, 3, tzinfo=datetime.UTC),
        locked=True,
        created_by=owner,
        version=7,
        **fields,
    )
    rl.syllabus.save("syllabus.pdf", ContentFile(b"%PDF"), save=True)
    rl.courses.add(course)
    Collaborator.objects.create(
        reading_list=rl, user=owner, right=CollaboratorRight.OWNER
    )
    default = Section.objects.create(
        reading_list=rl, name="Resources", position=0, is_default=True
    )
    week = Section.objects.create(
        reading_list=rl,
        name="Week 1",
        description="Start here",
        start_date=DAY,
        end_date=DAY,
        tags=["w1"],
        position=1,
        visible=False,
        version=4,
    )
    for i in range(n_citations):
        c = Citation.objects.create(
            reading_list=rl,
            section=week if i % 2 else default,
            position=i,
            material_type=MaterialType.BOOK,
            secondary_type="BK",
            metadata={"title": f"Book {i}", "ISBN": f"97800000000{i:02d}"},
            title=f"Book {i}",
            author="Hooks, Bell",
            catalog_record=Record.objects.get_or_create(
                control_number=f"roll-{i}", defaults={"title": f"Book {i}"}
            )[0],
            external_id=f"ext-{i}",
            public_note="Read chapter 2",
            instructor_note="Please buy two",
            library_note="Ordered",
            status=CitationStatus.COMPLETE,
            decline_reason="",
            copyright_status=CopyrightStatus.APPROVED,
            license_type="CLA",
            due_date=DAY,
            rendered_html=f"<p>Book {i}</p>",
            rendered_style="apa",
            created_by=owner,
            version=3,
        )
        c.tags.set(
            [
                tag(TagKind.PUBLIC, "Essential"),
                tag(TagKind.INSTRUCTOR_LIBRARY, "Buy more"),
                tag(TagKind.LIBRARY_INTERNAL, "Checked"),
            ]
        )
    return rl


@pytest.fixture
def terms() -> tuple[Term, Term]:
    return (
        TermFactory.create(code="AUT26", name="Autumn 2026"),
        TermFactory.create(code="SPR27", name="Spring 2027"),
    )


@pytest.fixture
def owner() -> User:
    return UserFactory.create(username="owner", role=Role.INSTRUCTOR)


@pytest.fixture
def courses(terms: tuple[Term, Term]) -> tuple[Course, Course]:
    old = CourseFactory.create(code="HIST101", section="A26", terms=[terms[0]])
    new = CourseFactory.create(code="HIST101", section="S27", terms=[terms[1]])
    return old, new


@pytest.fixture
def source(owner: User, courses: tuple[Course, Course]) -> ReadingList:
    return build_list(owner, courses[0])


def policy(**fields: bool) -> None:
    InstitutionSettings.objects.update_or_create(pk=1, defaults=fields)
    InstitutionSettings.current()


def only_copy(source: ReadingList) -> ReadingList:
    return ReadingList.objects.get(rolled_from=source)


# --- what is copied and what is reset -------------------------------------------------


def test_rollover_copies_the_list_and_resets_its_state(
    source: ReadingList, courses: tuple[Course, Course], owner: User
) -> None:
    admin = UserFactory.create(role=Role.ADMIN)
    report = rollover.rollover_courses([(courses[0].pk, courses[1].pk)], actor=admin)
    copy = only_copy(source)
    assert (report.created, report.already, report.citations) == (1, 0, 3)
    assert copy.code != source.code and copy.code.startswith("RL-")
    assert list(copy.courses.all()) == [courses[1]]
    kept = ("name", "description", "visibility", "material_access", "subjects")
    assert {f: getattr(copy, f) for f in kept} == {f: getattr(source, f) for f in kept}
    assert copy.processing_department_id == source.processing_department_id
    assert copy.status == ListStatus.ROLLED_OVER
    assert copy.publication_status == PublicationStatus.DRAFT
    assert copy.rolled_from_id == source.pk
    assert copy.syllabus.name == source.syllabus.name
    assert (copy.instructor_note, copy.library_note) == (
        "For the library",
        "Library only",
    )
    reset = (
        "due_back_date",
        "assigned_librarian_id",
        "sent_to_library_at",
        "sent_to_library_by_id",
        "published_at",
        "library_alert_at",
        "library_seen_at",
    )
    assert {f: getattr(copy, f) for f in reset} == dict.fromkeys(reset)
    assert (copy.locked, copy.version, copy.created_by_id) == (False, 1, admin.pk)
    assert ListRollover.objects.get().pk and (
        ListRollover.objects.values_list("source", "course", "target", "created_by")
    ).get() == (source.pk, courses[1].pk, copy.pk, admin.pk)
    # The source is untouched.
    source_after = ReadingList.objects.get(pk=source.pk)
    assert (source_after.status, source_after.version) == (ListStatus.COMPLETE, 7)


def test_rollover_copies_sections_without_dates(
    source: ReadingList, courses: tuple[Course, Course]
) -> None:
    rollover.rollover_courses([(courses[0].pk, courses[1].pk)])
    fields = (
        "name",
        "description",
        "start_date",
        "end_date",
        "tags",
        "position",
        "visible",
        "is_default",
        "version",
    )
    copied = list(only_copy(source).sections.values_list(*fields))
    assert copied == [
        ("Resources", "", None, None, [], 0, True, True, 1),
        ("Week 1", "Start here", None, None, ["w1"], 1, False, False, 1),
    ]


def test_rollover_copies_citations_with_defaults(
    source: ReadingList, courses: tuple[Course, Course], owner: User
) -> None:
    rollover.rollover_courses([(courses[0].pk, courses[1].pk)])
    copy = only_copy(source)
    new = list(copy.citations.order_by("position"))
    old = list(source.citations.order_by("position"))
    assert len(new) == 3
    same = (
        "position",
        "material_type",
        "secondary_type",
        "metadata",
        "title",
        "author",
        "catalog_record_id",
        "external_id",
        "public_note",
        "instructor_note",
        "library_note",
        "license_type",
        "rendered_html",
        "rendered_style",
        "created_by_id",
    )
    for n, o in zip(new, old, strict=True):
        assert {f: getattr(n, f) for f in same} == {f: getattr(o, f) for f in same}
        assert n.section.reading_list_id == copy.pk
        assert n.section.name == o.section.name
        # No rule: a list not yet with the library starts its items BeingPrepared.
        assert n.status == CitationStatus.BEING_PREPARED
        assert n.copyright_status == CopyrightStatus.NOT_DETERMINED
        assert (n.due_date, n.version) == (None, 1)
        assert sorted(t.name for t in n.tags.all()) == [
            "Buy more",
            "Checked",
            "Essential",
        ]
    assert sorted(copy.collaborators.values_list("user_id", "right")) == [
        (owner.pk, CollaboratorRight.OWNER)
    ]


def test_rollover_leaves_marks_discussions_and_requests_behind(
    source: ReadingList, courses: tuple[Course, Course], owner: User
) -> None:
    student = UserFactory.create()
    first = source.citations.first()
    assert first is not None
    CitationInteraction.objects.create(
        user=student, citation=first, reading_list=source, done=True
    )
    Message.objects.create(reading_list=source, author=owner, body="Hello")
    rollover.rollover_courses([(courses[0].pk, courses[1].pk)])
    copy = only_copy(source)
    assert not CitationInteraction.objects.filter(reading_list=copy).exists()
    assert not Message.objects.filter(reading_list=copy).exists()


def test_rollover_writes_one_event_per_list(
    source: ReadingList, courses: tuple[Course, Course], owner: User
) -> None:
    before = Event.objects.count()
    rollover.rollover_courses([(courses[0].pk, courses[1].pk)], actor=owner)
    copy = only_copy(source)
    assert Event.objects.count() == before + 1
    event = Event.objects.get(verb=rollover.EVENT_VERB)
    assert (event.list_id, event.target_id, event.actor_id) == (
        copy.pk,
        copy.pk,
        owner.pk,
    )
    assert event.params == {
        "source": source.pk,
        "source_code": source.code,
        "courses": ["HIST101-S27"],
        "citations": 3,
    }


def test_public_notes_and_tags_stay_behind_when_the_policy_says(
    source: ReadingList, courses: tuple[Course, Course]
) -> None:
    policy(rollover_copy_public_notes=False)
    rollover.rollover_courses([(courses[0].pk, courses[1].pk)])
    for c in only_copy(source).citations.all():
        assert c.public_note == ""
        assert c.instructor_note == "Please buy two"
        assert sorted(t.name for t in c.tags.all()) == ["Buy more", "Checked"]


def test_library_tags_and_notes_stay_behind_when_the_policy_says(
    source: ReadingList, courses: tuple[Course, Course]
) -> None:
    policy(rollover_copy_library_tags=False)
    rollover.rollover_courses([(courses[0].pk, courses[1].pk)])
    copy = only_copy(source)
    assert (copy.instructor_note, copy.library_note) == ("", "")
    for c in copy.citations.all():
        assert (c.public_note, c.instructor_note, c.library_note) == (
            "Read chapter 2",
            "",
            "",
        )
        assert [t.name for t in c.tags.all()] == ["Essential"]


def test_collaborators_and_syllabus_stay_behind_when_the_policy_says(
    source: ReadingList, courses: tuple[Course, Course]
) -> None:
    policy(rollover_copy_collaborators=False, rollover_copy_syllabus=False)
    rollover.rollover_courses([(courses[0].pk, courses[1].pk)])
    copy = only_copy(source)
    assert not copy.collaborators.exists()
    assert not copy.syllabus


def test_statuses_are_copied_when_not_recalculated(
    source: ReadingList, courses: tuple[Course, Course]
) -> None:
    policy(rollover_recalculate_statuses=False)
    source.citations.filter(position=1).update(
        status=CitationStatus.DECLINED, decline_reason="Out of print"
    )
    rollover.rollover_courses([(courses[0].pk, courses[1].pk)])
    assert list(
        only_copy(source)
        .citations.order_by("position")
        .values_list("status", "decline_reason")
    ) == [
        (CitationStatus.COMPLETE, ""),
        (CitationStatus.DECLINED, "Out of print"),
        (CitationStatus.COMPLETE, ""),
    ]


def test_creative_commons_survives_the_copyright_reset(
    source: ReadingList, courses: tuple[Course, Course]
) -> None:
    source.citations.filter(position=2).update(
        copyright_status=CopyrightStatus.CREATIVE_COMMONS
    )
    rollover.rollover_courses([(courses[0].pk, courses[1].pk)])
    assert list(
        only_copy(source)
        .citations.order_by("position")
        .values_list("copyright_status", flat=True)
    ) == [
        CopyrightStatus.NOT_DETERMINED,
        CopyrightStatus.NOT_DETERMINED,
        CopyrightStatus.CREATIVE_COMMONS,
    ]


# --- statuses by the rules ------------------------------------------------------------

METADATA_VARIANTS: list[dict[str, Any]] = [
    {},
    {"URL": "https://example.org/a"},
    {"URL": "HTTP://EXAMPLE.ORG"},
    {"URL": "ftp://example.org"},
    {"URL": ""},
    {"lectio": {"open_access": True}},
    {"lectio": {"open_access": False}},
    {"lectio": {"open_access": 1}},
    {"lectio": {"open_access": 0}},
    {"lectio": {"open_access": "yes"}},
    {"lectio": {"open_access": ""}},
    {"lectio": {"open_access": None}},
    {"lectio": {"open_access": []}},
    {"lectio": {"open_access": ["x"]}},
    {"lectio": {"open_access": {}}},
    {"lectio": {}},
    {"open-access": True},
    {"open-access": False},
    {"open-access": 0.0},
    {"open-access": 2.5},
    {"URL": "https://x.org", "open-access": True},
]


def test_recalculated_statuses_follow_the_rules_as_python_evaluates_them(
    owner: User, courses: tuple[Course, Course]
) -> None:
    CitationStatusRule.objects.all().delete()
    CitationStatusRule.objects.create(
        position=0,
        material_type=MaterialType.WEBSITE,
        availability=Availability.HAS_URL,
        status=CitationStatus.COMPLETE,
    )
    CitationStatusRule.objects.create(
        position=1,
        availability=Availability.OPEN_ACCESS,
        status=CitationStatus.COMPLETE,
    )
    CitationStatusRule.objects.create(
        position=2,
        material_type=MaterialType.ARTICLE,
        availability=Availability.FILE,
        status=CitationStatus.IN_PROCESS,
    )
    CitationStatusRule.objects.create(
        position=3, material_type=MaterialType.VIDEO, status=CitationStatus.DECLINED
    )
    CitationStatusRule.objects.create(
        position=4,
        material_type=MaterialType.AUDIO,
        status=CitationStatus.COMPLETE,
        enabled=False,
    )
    rl = build_list(owner, courses[0], n_citations=0)
    section = rl.sections.get(is_default=True)
    expected = []
    position = 0
    kinds = (
        MaterialType.BOOK,
        MaterialType.WEBSITE,
        MaterialType.ARTICLE,
        MaterialType.VIDEO,
        MaterialType.AUDIO,
    )
    for kind in kinds:
        for metadata in METADATA_VARIANTS:
            for file in ("", "citations/x.pdf"):
                citation = Citation.objects.create(
                    reading_list=rl,
                    section=section,
                    position=position,
                    material_type=kind,
                    metadata=metadata,
                    status=CitationStatus.IN_PROCESS,
                )
                if file:
                    CitationFile.objects.create(
                        citation=citation,
                        file=file,
                        name="x.pdf",
                        kind="pdf",
                        content_type="application/pdf",
                        size=1,
                        sha256="0" * 64,
                        copyright="self_declared",
                    )
                position += 1
                expected.append(
                    rule_status(
                        material_type=kind, metadata=metadata, has_file=bool(file)
                    )
                    or CitationStatus.BEING_PREPARED
                )
    rollover.rollover_courses([(courses[0].pk, courses[1].pk)])
    got = list(
        only_copy(rl).citations.order_by("position").values_list("status", flat=True)
    )
    assert got == expected
    assert set(got) == {
        CitationStatus.COMPLETE,
        CitationStatus.IN_PROCESS,
        CitationStatus.DECLINED,
        CitationStatus.BEING_PREPARED,
    }


def test_inactive_items_stay_inactive(
    source: ReadingList, courses: tuple[Course, Course]
) -> None:
    source.citations.filter(position=0).update(status=CitationStatus.INACTIVE)
    rollover.rollover_courses([(courses[0].pk, courses[1].pk)])
    assert list(
        only_copy(source)
        .citations.order_by("position")
        .values_list("status", flat=True)
    ) == [
        CitationStatus.INACTIVE,
        CitationStatus.BEING_PREPARED,
        CitationStatus.BEING_PREPARED,
    ]


# --- re-runs, plans, newest only ---------------------------------------------------


def test_a_second_run_makes_no_new_list(
    source: ReadingList, courses: tuple[Course, Course]
) -> None:
    pairs = [(courses[0].pk, courses[1].pk)]
    first = rollover.rollover_courses(pairs)
    state = db_state()
    second = rollover.rollover_courses(pairs)
    assert (first.created, second.created, second.already) == (1, 0, 1)
    assert second.items[0].outcome == rollover.ALREADY
    assert second.items[0].target_id == only_copy(source).pk
    assert db_state() == state


def test_a_claimed_pair_is_skipped_cleanly(
    owner: User, courses: tuple[Course, Course]
) -> None:
    """A concurrent run that claimed a pair between our plan and our insert: the
    constraint refuses our row, the batch is redone without that list and nothing
    of the refused attempt stays."""
    a = build_list(owner, courses[0], code="A")
    b = build_list(owner, courses[0], code="B")
    other = build_list(owner, courses[1], code="OTHER")
    ListRollover.objects.create(source=a, course=courses[1], target=other)
    lists_before = ReadingList.objects.count()
    sources = [
        rollover._Source(a.pk, "A", a.name, {courses[1].pk}),
        rollover._Source(b.pk, "B", b.name, {courses[1].pk}),
    ]
    made = rollover._copy_batch(
        sources,
        actor=None,
        policy=InstitutionSettings.current(),
        labels={courses[1].pk: "x"},
    )
    assert [m.source_id for m in made] == [b.pk]
    assert ReadingList.objects.count() == lists_before + 1
    assert Citation.objects.filter(reading_list_id=made[0].target_id).count() == 3


def test_the_constraint_holds_one_copy_per_list_and_course(
    source: ReadingList, courses: tuple[Course, Course]
) -> None:
    rollover.rollover_courses([(courses[0].pk, courses[1].pk)])
    with pytest.raises(IntegrityError):
        ListRollover.objects.create(
            source=source, course=courses[1], target=only_copy(source)
        )


def test_dry_run_writes_nothing_and_reports_the_plan(
    source: ReadingList, courses: tuple[Course, Course]
) -> None:
    InstitutionSettings.current()
    state = db_state()
    report = rollover.rollover_courses([(courses[0].pk, courses[1].pk)], dry_run=True)
    assert db_state() == state
    assert not ListRollover.objects.exists()
    assert (report.created, report.citations, report.dry_run) == (1, 3, True)
    item = report.items[0]
    assert (item.outcome, item.source_id, item.course_labels, item.citations) == (
        rollover.CREATE,
        source.pk,
        ["HIST101-S27"],
        3,
    )


def test_newest_only_takes_the_latest_list_of_each_course(
    owner: User, courses: tuple[Course, Course]
) -> None:
    older = build_list(owner, courses[0], code="OLD")
    newer = build_list(owner, courses[0], code="NEW")
    ReadingList.objects.filter(pk=older.pk).update(
        created_at=datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
    )
    report = rollover.rollover_courses(
        [(courses[0].pk, courses[1].pk)], newest_only=True
    )
    assert [i.source_id for i in report.items] == [newer.pk]
    assert ReadingList.objects.filter(rolled_from=older).count() == 0
    everything = rollover.rollover_courses([(courses[0].pk, courses[1].pk)])
    assert [(i.source_id, i.outcome) for i in everything.items] == [
        (newer.pk, rollover.ALREADY),
        (older.pk, rollover.CREATED),
    ]


def test_a_list_of_two_courses_is_copied_once_to_both_new_ones(
    owner: User, terms: tuple[Term, Term]
) -> None:
    a1 = CourseFactory.create(code="X", section="01", terms=[terms[0]])
    a2 = CourseFactory.create(code="X", section="02", terms=[terms[0]])
    b1 = CourseFactory.create(code="X", section="01-S", terms=[terms[1]])
    b2 = CourseFactory.create(code="X", section="02-S", terms=[terms[1]])
    rl = build_list(owner, a1)
    rl.courses.add(a2)
    report = rollover.rollover_courses([(a1.pk, b1.pk), (a2.pk, b2.pk)])
    assert report.created == 1
    copy = only_copy(rl)
    assert sorted(copy.courses.values_list("pk", flat=True)) == [b1.pk, b2.pk]
    assert ListRollover.objects.filter(target=copy).count() == 2


def test_batches_report_progress(
    owner: User, courses: tuple[Course, Course], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rollover, "BATCH", 2)
    for i in range(5):
        build_list(owner, courses[0], code=f"L{i}", n_citations=i)
    calls: list[tuple[int, int]] = []
    report = rollover.rollover_courses(
        [(courses[0].pk, courses[1].pk)],
        progress=lambda done, total: calls.append((done, total)),
    )
    assert calls == [(2, 5), (4, 5), (5, 5)]
    assert (report.created, report.citations) == (5, 0 + 1 + 2 + 3 + 4)
    new_citations = Citation.objects.filter(reading_list__status="RolledOver")
    assert new_citations.count() == 10
    # Every copied citation sits in a section of its own new list.
    assert not new_citations.exclude(
        section__reading_list_id=models_f("reading_list_id")
    ).exists()


def models_f(name: str) -> Any:
    from django.db.models import F

    return F(name)


# --- one list, by its owner -----------------------------------------------------------


def test_rollover_list_makes_the_actor_an_owner_of_the_copy(
    source: ReadingList, courses: tuple[Course, Course]
) -> None:
    teacher = UserFactory.create(role=Role.INSTRUCTOR)
    enrol(teacher, courses[0], CourseRole.INSTRUCTOR)
    copy = rollover.rollover_list(source, courses[1], actor=teacher)
    assert copy.rolled_from_id == source.pk
    assert copy.collaborators.get(user=teacher).right == CollaboratorRight.OWNER
    with pytest.raises(ServiceError, match="rolled over to HIST101-S27 already"):
        rollover.rollover_list(source, courses[1], actor=teacher)
    with pytest.raises(ServiceError, match="already serves"):
        rollover.rollover_list(source, courses[0], actor=teacher)
    assert ReadingList.objects.filter(rolled_from=source).count() == 1


def test_rollover_list_by_library_staff_adds_no_collaborator(
    source: ReadingList, courses: tuple[Course, Course], owner: User
) -> None:
    librarian = UserFactory.create(role=Role.LIBRARIAN)
    copy = rollover.rollover_list(source, courses[1], actor=librarian)
    assert list(copy.collaborators.values_list("user_id", flat=True)) == [owner.pk]


# --- terms ------------------------------------------------------------------------


def test_term_pairs_match_by_link_code_and_section_order(
    terms: tuple[Term, Term],
) -> None:
    old_t, new_t = terms
    solo = CourseFactory.create(code="SOLO", section="A", terms=[old_t])
    solo_new = CourseFactory.create(code="SOLO", section="B", terms=[new_t])
    s1 = CourseFactory.create(code="MULTI", section="01-A", terms=[old_t])
    s2 = CourseFactory.create(code="MULTI", section="02-A", terms=[old_t])
    n1 = CourseFactory.create(code="MULTI", section="01-B", terms=[new_t])
    n2 = CourseFactory.create(code="MULTI", section="02-B", terms=[new_t])
    renamed = CourseFactory.create(code="OLDNAME", terms=[old_t])
    renamed_new = CourseFactory.create(code="NEWNAME", terms=[new_t])
    renamed_new.rolled_from = renamed
    renamed_new.save()
    gone = CourseFactory.create(code="GONE", terms=[old_t])
    u1 = CourseFactory.create(code="UNEVEN", section="01", terms=[old_t])
    CourseFactory.create(code="UNEVEN", section="01-B", terms=[new_t])
    CourseFactory.create(code="UNEVEN", section="02-B", terms=[new_t])
    both = CourseFactory.create(code="YEAR", terms=[old_t, new_t])
    plan = rollover.term_pairs(old_t, new_t)
    assert sorted(plan.pairs) == sorted(
        [
            (solo.pk, solo_new.pk),
            (s1.pk, n1.pk),
            (s2.pk, n2.pk),
            (renamed.pk, renamed_new.pk),
        ]
    )
    reasons = {pk: reason for pk, _label, reason in plan.unmatched}
    assert set(reasons) == {gone.pk, u1.pk, both.pk}
    assert reasons[gone.pk] == "No course with the code GONE in Spring 2027."
    assert "2 sections of UNEVEN" in reasons[u1.pk]
    assert "both terms" in reasons[both.pk]


def test_rollover_terms_reports_lists_without_a_course(
    owner: User, terms: tuple[Term, Term], source: ReadingList
) -> None:
    gone = CourseFactory.create(code="GONE", terms=[terms[0]])
    lost = build_list(owner, gone, code="LOST")
    report = rollover.rollover_terms(*terms)
    outcomes = {i.source_id: i.outcome for i in report.items}
    assert outcomes == {source.pk: rollover.CREATED, lost.pk: rollover.NO_MATCH}
    assert (report.created, report.unmatched) == (1, 1)
    assert not ReadingList.objects.filter(rolled_from=lost).exists()


# --- the job ----------------------------------------------------------------------


def test_run_job_rolls_a_term_over_and_fills_the_job(
    owner: User, terms: tuple[Term, Term], source: ReadingList
) -> None:
    gone = CourseFactory.create(code="GONE", terms=[terms[0]])
    build_list(owner, gone, code="LOST")
    job = job_create(
        kind="rollover",
        actor=owner,
        options={"from_term": terms[0].pk, "to_term": "SPR27", "newest_only": False},
        enqueue=False,
    )
    job = job_execute(job)
    assert job.state == JobState.DONE, job.message
    assert job.counts == {
        "rolled_over": 1,
        "already": 0,
        "citations": 3,
        "unmatched": 1,
    }
    assert job.rejects == [
        {
            "line": 0,
            "key": "LOST",
            "reason": "GONE: No course with the code GONE in Spring 2027.",
        }
    ]
    assert (job.progress_done, job.progress_total) == (1, 1)
    assert job.message.startswith("Autumn 2026 to Spring 2027: 1 list rolled over")
    again = job_execute(
        job_create(
            kind="rollover",
            actor=owner,
            options={"from_term": "AUT26", "to_term": "SPR27"},
            enqueue=False,
        )
    )
    assert again.counts["rolled_over"] == 0 and again.counts["already"] == 1


def test_run_job_dry_run_writes_nothing(
    owner: User, terms: tuple[Term, Term], source: ReadingList
) -> None:
    job = job_create(
        kind="rollover",
        actor=owner,
        options={"from_term": "AUT26", "to_term": "SPR27", "dry_run": True},
        enqueue=False,
    )
    job = job_execute(job)
    assert job.counts["rolled_over"] == 1
    assert not ListRollover.objects.exists()
    assert "would be rolled over" in job.message


def test_run_job_with_an_unknown_term_fails_with_a_message(owner: User) -> None:
    job = job_execute(
        job_create(
            kind="rollover",
            actor=owner,
            options={"from_term": "NOPE", "to_term": "NADA"},
            enqueue=False,
        )
    )
    assert job.state == JobState.FAILED
    assert "There is no term NOPE." in job.message


def test_a_list_done_for_one_new_course_is_copied_for_the_other(
    owner: User, terms: tuple[Term, Term]
) -> None:
    a1 = CourseFactory.create(code="Y", section="01", terms=[terms[0]])
    a2 = CourseFactory.create(code="Y", section="02", terms=[terms[0]])
    b1 = CourseFactory.create(code="Y", section="01-S", terms=[terms[1]])
    b2 = CourseFactory.create(code="Y", section="02-S", terms=[terms[1]])
    rl = build_list(owner, a1)
    rl.courses.add(a2)
    first = rollover.rollover_courses([(a1.pk, b1.pk)])
    second = rollover.rollover_courses([(a1.pk, b1.pk), (a2.pk, b2.pk)])
    assert (first.created, second.created, second.already) == (1, 1, 0)
    assert sorted((i.outcome, tuple(i.course_ids)) for i in second.items) == [
        (rollover.ALREADY, (b1.pk,)),
        (rollover.CREATED, (b2.pk,)),
    ]
    third = rollover.rollover_courses([(a1.pk, b1.pk), (a2.pk, b2.pk)])
    assert (third.created, third.already) == (0, 1)
    assert ReadingList.objects.filter(rolled_from=rl).count() == 2
