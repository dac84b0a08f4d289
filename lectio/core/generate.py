"""Scale data for benchmarks: a university's worth of courses, people, lists and
citations, written with bulk inserts (COPY on PostgreSQL, executemany on SQLite).

The data only has to look like the real thing: citations get a formatted string built
here in an APA-like shape instead of a citeproc run each (a million runs would take
hours). Everything is drawn from `random.Random(seed)`, so a size and a seed always give
the same rows.

Every run adds to the database: a run number (`G1`, `G2`, ...) keeps usernames, course
sections and list codes unique, so the generator can run after `load-demo` or after an
earlier run. The two benchmark lists (`BENCH-300`, `BENCH-2000`) and `bench-student` are
made by the first run only.
"""

from __future__ import annotations

import html
import json
import math
import random
import sys
import time
from bisect import bisect
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import accumulate
from typing import Any, TextIO

from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone

from lectio.accounts.models import InstitutionSettings, Role, User
from lectio.core.models import Event
from lectio.courses.models import (
    Campus,
    Course,
    CourseCampus,
    CourseRole,
    Department,
    Enrolment,
    Term,
)
from lectio.lists.models import (
    Citation,
    CitationInteraction,
    Collaborator,
    CollaboratorRight,
    MaterialType,
    ReadingList,
    Section,
    Tag,
    TagKind,
)
from lectio.lists.statuses import (
    CitationStatus,
    CopyrightStatus,
    ListStatus,
    MaterialAccess,
    PublicationStatus,
    Visibility,
)

# A large university (size l); m is a tenth of it, s a hundredth.
FULL_SIZE = {
    "courses": 50_000,
    "users": 60_000,
    "lists": 25_000,
    "citations": 1_000_000,
    "enrolments": 300_000,
    "marks": 100_000,
}
SIZES = {"s": 0.01, "m": 0.1, "l": 1.0}

BENCH_PASSWORD = "lectio"
BENCH_STUDENT = "bench-student"
BENCH_INSTRUCTOR = "bench-instructor"
# (list code, course code, citations, sections)
BENCH_LISTS = [
    ("BENCH-300", "BENCH300", 300, 10),
    ("BENCH-2000", "BENCH2000", 2000, 20),
]

# --- vocabulary --------------------------------------------------------------------


def _words(text: str) -> list[str]:
    return text.split()


def _topics(text: str) -> tuple[str, ...]:
    return tuple(t.strip() for t in text.split(";"))


# code | name | the library that processes its lists | subject words for titles
_DEPARTMENT_TABLE = """
HIST | History | LIB-MAIN | empire; revolution; the Atlantic world; memory; the Cold War; medieval Europe; colonialism; the early modern state
BIOL | Biology | LIB-SCI | cell biology; evolution; genetics; ecology; microbial communities; protein folding; biodiversity; gene regulation
LAW | Law | LIB-LAW | contract; tort; human rights; constitutional law; criminal justice; property; international law; judicial review
COMP | Computer Science | LIB-SCI | algorithms; distributed systems; machine learning; databases; programming languages; computer security; human-computer interaction; compilers
ECON | Economics | LIB-MAIN | growth; labour markets; inequality; monetary policy; game theory; public finance; trade; development
ENGL | English Literature | LIB-MAIN | the Victorian novel; modernism; Romantic poetry; Shakespeare; postcolonial writing; literary theory; the short story; drama
PHIL | Philosophy | LIB-MAIN | ethics; epistemology; philosophy of mind; logic; political philosophy; metaphysics; aesthetics; free will
PSYC | Psychology | LIB-SCI | memory; perception; child development; social cognition; personality; decision making; attention; language acquisition
CHEM | Chemistry | LIB-SCI | organic synthesis; catalysis; spectroscopy; thermodynamics; polymers; electrochemistry; reaction kinetics; materials
PHYS | Physics | LIB-SCI | quantum mechanics; condensed matter; cosmology; optics; particle physics; statistical mechanics; relativity; plasma physics
MATH | Mathematics | LIB-SCI | linear algebra; probability; number theory; topology; differential equations; real analysis; combinatorics; numerical methods
SOCI | Sociology | LIB-MAIN | class; migration; the city; gender; social movements; religion; families; work
POLI | Politics | LIB-MAIN | democracy; elections; the European Union; populism; public policy; security; parties; political economy
GEOG | Geography | LIB-MAIN | climate change; urbanisation; landscapes; globalisation; hazards; water; rural change; mobility
MEDI | Medicine | LIB-MED | cardiology; public health; infectious disease; clinical trials; oncology; primary care; anatomy; pharmacology
NURS | Nursing | LIB-MED | patient safety; palliative care; mental health nursing; evidence-based practice; community care; clinical skills; leadership; ethics of care
EDUC | Education | LIB-MAIN | assessment; literacy; inclusion; curriculum; early years; higher education; pedagogy; education policy
MUSI | Music | LIB-MUS | harmony; opera; ethnomusicology; jazz; composition; performance practice; popular music; the symphony
ARTH | Art History | LIB-MAIN | the Renaissance; modern art; photography; architecture; museums; visual culture; the avant-garde; iconography
BUSI | Business and Management | LIB-MAIN | strategy; marketing; organisational behaviour; entrepreneurship; accounting; supply chains; leadership; corporate governance
ENGI | Engineering | LIB-SCI | structures; fluid mechanics; control systems; materials; signal processing; thermodynamics; robotics; renewable energy
LING | Linguistics | LIB-MAIN | syntax; phonology; sociolinguistics; semantics; language change; bilingualism; pragmatics; corpus linguistics
ANTH | Anthropology | LIB-MAIN | kinship; ritual; material culture; ethnography; exchange; medical anthropology; the state; landscape
CLAS | Classics | LIB-MAIN | Homer; Athenian democracy; the Roman Republic; Greek tragedy; Latin poetry; ancient philosophy; the late Roman empire; epigraphy
"""
DEPARTMENTS: list[tuple[str, str, str, tuple[str, ...]]] = [
    (code, name, library, _topics(topics))
    for code, name, library, topics in (
        [cell.strip() for cell in line.split("|")]
        for line in _DEPARTMENT_TABLE.strip().splitlines()
    )
]
LIBRARIES = [
    ("LIB-MAIN", "Main Library: Course Reserves"),
    ("LIB-SCI", "Science Library"),
    ("LIB-LAW", "Law Library"),
    ("LIB-MED", "Medical Library"),
    ("LIB-MUS", "Music Library"),
]
# (code, name, start, end); lists are built for the academic year 2026/27.
TERMS = [
    ("AUT2026", "Autumn 2026", date(2026, 9, 28), date(2026, 12, 11)),
    ("SPR2027", "Spring 2027", date(2027, 1, 11), date(2027, 3, 26)),
    ("SUM2027", "Summer 2027", date(2027, 4, 26), date(2027, 6, 18)),
]
CAMPUSES = [
    ("CITY", "City Campus"),
    ("RIVER", "Riverside Campus"),
    ("MED", "Medical Campus"),
]


GIVEN_NAMES = _words(
    "Amelia Oliver Isla George Ava Noah Mia Arthur Freya Leo Grace Oscar Lily Harry Ella "
    "Jack Sophia Charlie Ivy Henry Aisha Mohammed Priya Arjun Mei Wei Yuki Hiroshi Chloe "
    "Lucas Emma Liam Olivia Mateo Sofia Santiago Valentina Diego Camila Kwame Ama Chidi "
    "Ngozi Tariq Fatima Omar Leila Hannah Daniel Sarah David Rachel Samuel Anna Thomas "
    "Laura James Emily Benjamin Zoe Nikolai Katya Piotr Zofia Lars Ingrid Sean Niamh Rhys "
    "Cerys Ewan Isla Rory Ananya Rohan Sana Imran Jiwoo Minjun Thanh Linh Joao Beatriz"
)
FAMILY_NAMES = _words(
    "Smith Jones Williams Taylor Brown Davies Evans Wilson Thomas Johnson Roberts Walker "
    "Wright Robinson Thompson White Hughes Edwards Green Hall Wood Harris Lewis Martin "
    "Jackson Clarke Clark Turner Hill Scott Cooper Morris Ward Moore King Watson Baker "
    "Harrison Morgan Patel Khan Singh Shah Ahmed Ali Chen Wang Li Zhang Liu Nguyen Tran "
    "Kim Park Lee Tanaka Sato Suzuki Garcia Martinez Rodriguez Lopez Gonzalez Fernandez "
    "Silva Santos Costa Okafor Mensah Adeyemi Okoye Mwangi Kowalski Nowak Novak Jensen "
    "Hansen Larsen Andersen Murphy Kelly Byrne Walsh O'Brien MacDonald Campbell Stewart "
    "Fraser Rossi Russo Bianchi Muller Schmidt Schneider Fischer Weber Dubois Moreau "
    "Laurent Ivanova Petrov Haddad Rahman Hussain Begum Iyer Reddy Kaur Gupta Das Bose"
)
ADJECTIVES = _words(
    "critical comparative global modern early contemporary social political cultural "
    "historical digital experimental applied theoretical quantitative qualitative urban "
    "environmental international European transnational emerging sustainable ethical "
    "visual material legal institutional computational"
)
NOUNS = _words(
    "theory practice evidence method change identity institutions networks systems power "
    "knowledge society markets design memory risk culture governance innovation conflict "
    "inequality communities technology history justice learning policy structure time "
    "values representation"
)
CONTEXTS = (
    "the twentieth century",
    "comparative perspective",
    "the digital age",
    "Britain and Europe",
    "a global context",
    "theory and practice",
    "historical perspective",
    "the modern world",
    "the Global South",
    "an age of uncertainty",
)
TITLE_PATTERNS: tuple[Callable[[random.Random, str], str], ...] = (
    lambda r, t: f"{r.choice(ADJECTIVES).capitalize()} perspectives on {t}",
    lambda r, t: f"{t[0].upper() + t[1:]} in {r.choice(CONTEXTS)}",
    lambda r, t: f"Understanding {t}",
    lambda r, t: f"The {r.choice(NOUNS)} of {t}",
    lambda r, t: f"{r.choice(ADJECTIVES).capitalize()} approaches to {t}",
    lambda r, t: f"Rethinking {t}: {r.choice(NOUNS)} and {r.choice(NOUNS)}",
    lambda r, t: f"{t[0].upper() + t[1:]}: {_a(r.choice(ADJECTIVES))} introduction",
    lambda r, t: f"{r.choice(NOUNS).capitalize()}, {r.choice(NOUNS)} and {t}",
    lambda r, t: f"New directions in {t}",
    lambda r, t: f"{t[0].upper() + t[1:]} and the politics of {r.choice(NOUNS)}",
)
PUBLISHERS = [
    ("Oxford University Press", "Oxford"),
    ("Cambridge University Press", "Cambridge"),
    ("Routledge", "London"),
    ("Palgrave Macmillan", "Basingstoke"),
    ("Princeton University Press", "Princeton, NJ"),
    ("Yale University Press", "New Haven, CT"),
    ("MIT Press", "Cambridge, MA"),
    ("Penguin", "London"),
    ("Wiley-Blackwell", "Chichester"),
    ("SAGE", "London"),
    ("Bloomsbury Academic", "London"),
    ("University of Chicago Press", "Chicago"),
    ("Harvard University Press", "Cambridge, MA"),
    ("Springer", "Cham"),
    ("Polity", "Cambridge"),
    ("Manchester University Press", "Manchester"),
    ("Edinburgh University Press", "Edinburgh"),
    ("Pearson", "Harlow"),
    ("W. W. Norton", "New York"),
    ("Verso", "London"),
]
JOURNAL_PATTERNS = (
    "Journal of {T}",
    "{T} Review",
    "Studies in {T}",
    "{T} Quarterly",
    "International Journal of {T}",
    "Annals of {T}",
)
REPORT_BODIES = (
    "OECD",
    "World Bank",
    "Office for National Statistics",
    "Institute for Fiscal Studies",
    "World Health Organization",
    "UNESCO",
    "House of Commons Library",
    "National Audit Office",
)
BROADCASTERS = ("BBC", "Channel 4", "PBS", "ARTE", "Al Jazeera English")
UNIVERSITIES = (
    "University of Edinburgh",
    "University of Manchester",
    "University College London",
    "University of Toronto",
    "University of Melbourne",
    "Leiden University",
    "University of Cape Town",
)
EDITIONS = ("2nd", "3rd", "4th", "5th", "6th")
PUBLIC_NOTES = (
    "Read before the seminar.",
    "Chapters 1-3 are essential; the rest is optional.",
    "Available as an e-book: no need to buy a copy.",
    "Focus on the introduction and conclusion.",
    "A good overview if you are new to the topic.",
    "Useful for the first assessed essay.",
    "Short loan copies are in the library.",
    "We will discuss this in week 3.",
)
INSTRUCTOR_NOTES = (
    "Please buy three more copies for short loan.",
    "Newer edition is fine.",
    "Scan pages 45-72 if the library holds only print.",
    "Students need this from week 1.",
)
LIBRARY_NOTES = (
    "Ordered from the supplier; due in two weeks.",
    "Copyright cleared under the CLA licence.",
    "Moved to short loan.",
    "Electronic access via the publisher platform.",
)
DECLINE_REASONS = (
    "Out of print and no electronic edition is available.",
    "The chapter exceeds the copying limit of the licence.",
    "Not available for purchase in this region.",
    "Duplicate of another item on the list.",
)
SECTION_NAMES = (
    "Core texts",
    "Further reading",
    "Seminar preparation",
    "Background reading",
    "Primary sources",
    "Assessment support",
    "Methods",
    "Case studies",
)

MATERIAL_WEIGHTS: list[tuple[str, float]] = [
    (MaterialType.BOOK, 30),
    (MaterialType.BOOK_CHAPTER, 14),
    (MaterialType.ARTICLE, 30),
    (MaterialType.EBOOK, 8),
    (MaterialType.WEBSITE, 7),
    (MaterialType.VIDEO, 4),
    (MaterialType.JOURNAL, 1),
    (MaterialType.AUDIO, 1),
    (MaterialType.THESIS, 0.5),
    (MaterialType.CONFERENCE_PAPER, 2),
    (MaterialType.REPORT, 2),
    (MaterialType.LEGAL_DOCUMENT, 0.5),
    (MaterialType.NOTE, 0.5),
    (MaterialType.OTHER, 0.5),
]
# The status mix of a term in progress.
LIST_STATUS_WEIGHTS: list[tuple[str, float]] = [
    (ListStatus.BEING_PREPARED, 18),
    (ListStatus.READY_FOR_PROCESSING, 10),
    (ListStatus.BEING_PROCESSED, 12),
    (ListStatus.COMPLETE, 52),
    (ListStatus.INACTIVE, 3),
    (ListStatus.ROLLED_OVER, 5),
]
PUBLICATION_WEIGHTS: dict[str, list[tuple[str, float]]] = {
    ListStatus.BEING_PREPARED: [
        (PublicationStatus.DRAFT, 95),
        (PublicationStatus.PUBLISHED, 5),
    ],
    ListStatus.READY_FOR_PROCESSING: [
        (PublicationStatus.DRAFT, 70),
        (PublicationStatus.PUBLISHED, 30),
    ],
    ListStatus.BEING_PROCESSED: [
        (PublicationStatus.DRAFT, 50),
        (PublicationStatus.PUBLISHED, 50),
    ],
    ListStatus.COMPLETE: [
        (PublicationStatus.PUBLISHED, 88),
        (PublicationStatus.DRAFT, 8),
        (PublicationStatus.ARCHIVED, 4),
    ],
    ListStatus.INACTIVE: [
        (PublicationStatus.ARCHIVED, 70),
        (PublicationStatus.DRAFT, 30),
    ],
    ListStatus.ROLLED_OVER: [(PublicationStatus.DRAFT, 100)],
}
CITATION_STATUS_WEIGHTS: dict[str, list[tuple[str, float]]] = {
    ListStatus.BEING_PREPARED: [
        (CitationStatus.BEING_PREPARED, 85),
        (CitationStatus.COMPLETE, 15),
    ],
    ListStatus.READY_FOR_PROCESSING: [
        (CitationStatus.READY_FOR_PROCESSING, 85),
        (CitationStatus.COMPLETE, 15),
    ],
    ListStatus.BEING_PROCESSED: [
        (CitationStatus.COMPLETE, 55),
        (CitationStatus.IN_PROCESS, 25),
        (CitationStatus.READY_FOR_PROCESSING, 18),
        (CitationStatus.DECLINED, 2),
    ],
    ListStatus.COMPLETE: [
        (CitationStatus.COMPLETE, 96),
        (CitationStatus.DECLINED, 2),
        (CitationStatus.INACTIVE, 2),
    ],
    ListStatus.INACTIVE: [(CitationStatus.COMPLETE, 90), (CitationStatus.INACTIVE, 10)],
    ListStatus.ROLLED_OVER: [
        (CitationStatus.COMPLETE, 70),
        (CitationStatus.READY_FOR_PROCESSING, 30),
    ],
}
VISIBILITY_WEIGHTS = [
    (Visibility.COURSE, 82),
    (Visibility.INSTITUTION, 14),
    (Visibility.PUBLIC, 4),
]


class Chooser:
    """Weighted choice with precomputed cumulative weights (random.choices recomputes)."""

    def __init__(self, weighted: Sequence[tuple[Any, float]]) -> None:
        self.values = [v for v, _w in weighted]
        self.cum = list(accumulate(w for _v, w in weighted))
        self.total = self.cum[-1]

    def __call__(self, rng: random.Random) -> Any:
        return self.values[bisect(self.cum, rng.random() * self.total)]


# --- works: bibliographic records in CSL-JSON shape ---------------------------------


@dataclass(frozen=True)
class Work:
    material_type: str
    metadata_json: str
    title: str
    author: str
    rendered_html: str
    url: str


def _isbn13(rng: random.Random) -> str:
    digits = [9, 7, 8] + [rng.randrange(10) for _ in range(9)]
    check = (
        10 - sum(d * (1 if i % 2 == 0 else 3) for i, d in enumerate(digits)) % 10
    ) % 10
    return "".join(map(str, digits)) + str(check)


def _issn(rng: random.Random) -> str:
    digits = [rng.randrange(10) for _ in range(7)]
    total = sum(d * w for d, w in zip(digits, range(8, 1, -1), strict=True))
    check = (11 - total % 11) % 11
    tail = "X" if check == 10 else str(check)
    text = "".join(map(str, digits)) + tail
    return f"{text[:4]}-{text[4:]}"


def _person(rng: random.Random) -> dict[str, str]:
    given = rng.choice(GIVEN_NAMES)
    if rng.random() < 0.3:
        given = f"{given} {rng.choice(GIVEN_NAMES)[0]}."
    return {"family": rng.choice(FAMILY_NAMES), "given": given}


def _initials(given: str) -> str:
    return " ".join(
        f"{part[0].upper()}." for part in given.replace("-", " ").split() if part
    )


def apa_names(names: Sequence[dict[str, str]]) -> str:
    """Family, G. G., Family, G., & Family, G. (the APA author list, HTML-escaped)."""
    parts = []
    for n in names:
        if "literal" in n:
            parts.append(n["literal"])
        else:
            initials = _initials(n.get("given", ""))
            parts.append(f"{n['family']}, {initials}" if initials else n["family"])
    if not parts:
        return ""
    if len(parts) == 1:
        text = parts[0]
    elif len(parts) == 2:
        text = f"{parts[0]}, & {parts[1]}"
    else:
        text = ", ".join(parts[:-1]) + f", & {parts[-1]}"
    return html.escape(text)


def _plain_names(names: Sequence[dict[str, str]]) -> str:
    return "; ".join(
        n["literal"]
        if "literal" in n
        else f"{n['family']}, {n.get('given', '')}".strip(", ")
        for n in names
    )


def render_apa_like(material_type: str, csl: dict[str, Any]) -> str:
    """An APA-looking formatted entry (escaped HTML). Not citeproc: close enough to the
    real output in length and markup for the reading view's cost."""
    e = html.escape
    names = csl.get("author") or csl.get("editor") or []
    who = apa_names(names)
    if csl.get("editor") and not csl.get("author"):
        who += " (Ed.)" if len(names) == 1 else " (Eds.)"
    issued = csl.get("issued", {}).get("date-parts", [[None]])[0][0]
    year = f"({issued})" if issued else "(n.d.)"
    title = e(csl.get("title", ""))
    container = e(csl.get("container-title", ""))
    publisher = e(csl.get("publisher", ""))
    tail = ""
    if csl.get("DOI"):
        tail = f" https://doi.org/{e(csl['DOI'])}"
    elif csl.get("URL"):
        tail = f" {e(csl['URL'])}"
    if who and not who.endswith("."):
        who += "."
    lead = f"{who} {year}." if who else f"<i>{title}</i>. {year}."
    if material_type in (MaterialType.ARTICLE, MaterialType.CONFERENCE_PAPER):
        vol = csl.get("volume")
        issue = csl.get("issue")
        where = f"<i>{container}</i>"
        if vol:
            where += f", <i>{e(vol)}</i>"
        if issue:
            where += f"({e(issue)})"
        if csl.get("page"):
            where += f", {e(csl['page'])}"
        return f"{lead} {title}. {where}.{tail}"
    if material_type == MaterialType.BOOK_CHAPTER:
        eds = csl.get("editor") or []
        by = apa_names(eds)
        pages = f" (pp. {e(csl['page'])})" if csl.get("page") else ""
        role = "Ed." if len(eds) == 1 else "Eds."
        return f"{lead} {title}. In {by} ({role}), <i>{container}</i>{pages}. {publisher}.{tail}"
    if material_type in (MaterialType.WEBSITE, MaterialType.AUDIO):
        site = f" {container}." if container else ""
        return f"{lead} <i>{title}</i>.{site}{tail}"
    if material_type == MaterialType.LEGAL_DOCUMENT:
        number = f", {e(csl['number'])}" if csl.get("number") else ""
        return f"<i>{title}</i>{number}."
    if material_type in (MaterialType.NOTE, MaterialType.JOURNAL):
        pub = f" {publisher}." if publisher else ""
        return f"<i>{title}</i>.{pub}{tail}"
    edition = f" ({e(csl['edition'])} ed.)" if csl.get("edition") else ""
    body = f"<i>{title}</i>{edition}." if who else ""
    pub = f" {publisher}." if publisher else ""
    return f"{lead} {body}{pub}{tail}".replace("  ", " ").strip()


def make_work(rng: random.Random, material_type: str, topic: str, serial: int) -> Work:
    """One plausible record. `serial` keeps DOIs and URLs distinct."""
    title = rng.choice(TITLE_PATTERNS)(rng, topic)
    year = min(2026, 1950 + int(76 * math.sqrt(rng.random())))
    authors = [_person(rng) for _ in range(rng.choice((1, 1, 1, 2, 2, 3, 4)))]
    publisher, place = rng.choice(PUBLISHERS)
    slug = topic.replace(" ", "-").replace("'", "").lower()
    csl: dict[str, Any] = {"title": title, "issued": {"date-parts": [[year]]}}
    mt = material_type
    if mt in (MaterialType.BOOK, MaterialType.EBOOK):
        csl.update(
            type="book",
            author=authors,
            publisher=publisher,
            **{"publisher-place": place, "ISBN": _isbn13(rng)},
        )
        if rng.random() < 0.25:
            csl["edition"] = rng.choice(EDITIONS)
        if mt == MaterialType.EBOOK:
            csl["URL"] = f"https://ebooks.example.org/view/{serial}"
    elif mt == MaterialType.BOOK_CHAPTER:
        csl.update(
            type="chapter",
            author=authors[:2],
            editor=[_person(rng) for _ in range(rng.choice((1, 2)))],
            publisher=publisher,
            page=_page_range(rng, 12, 30),
            **{
                "container-title": rng.choice(TITLE_PATTERNS)(rng, topic),
                "publisher-place": place,
                "ISBN": _isbn13(rng),
            },
        )
    elif mt in (MaterialType.ARTICLE, MaterialType.CONFERENCE_PAPER):
        if mt == MaterialType.ARTICLE:
            container = _journal(rng, topic)
            csl.update(
                type="article-journal",
                volume=str(max(1, year - 1950 + rng.randrange(1, 20))),
                issue=str(rng.randrange(1, 7)),
            )
        else:
            container = (
                f"Proceedings of the {_ordinal(rng.randrange(3, 40))} International "
                f"Conference on {_title_case(topic)}"
            )
            csl["type"] = "paper-conference"
        csl.update(
            author=authors,
            page=_page_range(rng, 8, 25),
            # 10.5555 is the DOI prefix reserved for examples and tests.
            DOI=f"10.5555/{slug}.{year}.{serial}",
            **{"container-title": container},
        )
    elif mt == MaterialType.JOURNAL:
        csl = {
            "type": "periodical",
            "title": _journal(rng, topic),
            "publisher": publisher,
            "ISSN": _issn(rng),
            "URL": f"https://journals.example.org/{slug}-{serial}",
        }
    elif mt == MaterialType.WEBSITE:
        org = rng.choice(REPORT_BODIES)
        csl.update(
            type="webpage",
            author=[{"literal": org}],
            URL=f"https://www.{org.lower().replace(' ', '')}.example.org/{slug}/{serial}",
            **{"container-title": org},
        )
    elif mt == MaterialType.VIDEO:
        csl.update(
            type="motion_picture",
            author=authors[:1],
            publisher=rng.choice(BROADCASTERS),
            medium="Documentary",
        )
    elif mt == MaterialType.AUDIO:
        csl.update(
            type="song",
            author=authors[:1],
            publisher=rng.choice(BROADCASTERS),
            medium="Podcast",
            URL=f"https://audio.example.org/episodes/{serial}",
            **{"container-title": f"Thinking about {topic}"},
        )
    elif mt == MaterialType.THESIS:
        csl.update(
            type="thesis",
            author=authors[:1],
            genre=rng.choice(("PhD thesis", "MPhil thesis")),
            publisher=rng.choice(UNIVERSITIES),
        )
    elif mt == MaterialType.REPORT:
        body = rng.choice(REPORT_BODIES)
        csl.update(
            type="report",
            author=[{"literal": body}],
            publisher=body,
            number=f"{year}/{rng.randrange(1, 60)}",
            URL=f"https://reports.example.org/{slug}/{serial}",
        )
    elif mt == MaterialType.LEGAL_DOCUMENT:
        noun = rng.choice(NOUNS).capitalize()
        csl = {
            "type": "legislation",
            "title": f"{noun} Act {year}",
            "issued": {"date-parts": [[year]]},
            "container-title": "UK Public General Acts",
            "number": f"c. {rng.randrange(1, 60)}",
        }
    elif mt == MaterialType.NOTE:
        csl = {
            "type": "document",
            "title": f"Seminar preparation: {topic}",
            "note": "Bring two questions about this week's reading.",
        }
    else:
        csl.update(
            type="dataset",
            author=[{"literal": rng.choice(REPORT_BODIES)}],
            publisher="UK Data Service",
            URL=f"https://data.example.org/{slug}/{serial}",
        )
    names = csl.get("author") or csl.get("editor") or []
    return Work(
        material_type=mt,
        metadata_json=json.dumps(csl, ensure_ascii=False),
        title=csl["title"][:1000],
        author=_plain_names(names)[:1000],
        rendered_html=render_apa_like(mt, csl),
        url=str(csl.get("URL") or ""),
    )


def _a(word: str) -> str:
    vowel = word[0].lower() in "aeiou" and not word.lower().startswith(
        ("eu", "uni", "usu")
    )
    return f"an {word}" if vowel else f"a {word}"


_SMALL_WORDS = {"a", "an", "and", "of", "the", "in", "on", "for", "to"}


def _journal(rng: random.Random, topic: str) -> str:
    return rng.choice(JOURNAL_PATTERNS).format(T=_title_case(topic))


def _title_case(topic: str) -> str:
    words = topic.split()
    if words[0].lower() == "the":
        words = words[1:]
    title = " ".join(
        w if (w in _SMALL_WORDS and i) or w[0].isupper() else w[0].upper() + w[1:]
        for i, w in enumerate(words)
    )
    return title


def _ordinal(n: int) -> str:
    suffix = (
        "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    )
    return f"{n}{suffix}"


def _page_range(rng: random.Random, low: int, high: int) -> str:
    start = rng.randrange(1, 400)
    return f"{start}-{start + rng.randrange(low, high)}"


# --- bulk writing -------------------------------------------------------------------


@dataclass
class TableReport:
    table: str
    rows: int = 0
    seconds: float = 0.0


@dataclass
class GenerateReport:
    run: int
    scale: float
    vendor: str
    tables: list[TableReport] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)

    def count(self, table: str) -> int:
        return sum(t.rows for t in self.tables if t.table == table)


class BulkWriter:
    """Streams rows into a table in batches, each batch in its own transaction.

    Columns not named get the model field's default (constant for every row)."""

    def __init__(
        self, report: GenerateReport, out: TextIO, batch_size: int = 20_000
    ) -> None:
        self.report = report
        self.out = out
        self.batch_size = batch_size
        self.postgres = connection.vendor == "postgresql"

    def columns(
        self, model: type[models.Model], names: Sequence[str]
    ) -> tuple[list[str], list[Any]]:
        fields = [model._meta.get_field(n) for n in names]
        extra_cols: list[str] = []
        extra_values: list[Any] = []
        for f in model._meta.concrete_fields:
            if f.name in names or (f.primary_key and isinstance(f, models.AutoField)):
                continue
            if isinstance(f, models.AutoField | models.BigAutoField):
                continue
            default = f.get_default()
            if default is None and not f.null:
                raise ValueError(f"{model.__name__}.{f.name} needs a value")
            extra_cols.append(f.column)  # type: ignore[union-attr]
            extra_values.append(adapt(f, default))
        return [f.column for f in fields] + extra_cols, extra_values  # type: ignore[union-attr,misc,return-value]

    def write(
        self,
        model: type[models.Model],
        names: Sequence[str],
        rows: Iterable[Sequence[Any]],
        label: str = "",
    ) -> int:
        table = model._meta.db_table
        cols, constants = self.columns(model, names)
        tail = tuple(constants)
        started = time.perf_counter()
        count = 0
        batch: list[tuple[Any, ...]] = []
        for row in rows:
            batch.append(tuple(row) + tail)
            if len(batch) >= self.batch_size:
                self._flush(table, cols, batch)
                count += len(batch)
                batch = []
        if batch:
            self._flush(table, cols, batch)
            count += len(batch)
        elapsed = time.perf_counter() - started
        self.report.tables.append(TableReport(table, count, elapsed))
        rate = count / elapsed if elapsed > 0 else 0.0
        name = f"{table} ({label})" if label else table
        self.out.write(
            f"  {name:<40} {count:>10,} rows {elapsed:8.1f} s {rate:>11,.0f} rows/s\n"
        )
        self.out.flush()
        return count

    def _flush(self, table: str, cols: list[str], batch: list[tuple[Any, ...]]) -> None:
        qn = connection.ops.quote_name
        col_sql = ", ".join(qn(c) for c in cols)
        with transaction.atomic(), connection.cursor() as cursor:
            if self.postgres:
                # Bulk load: a crash loses the last batches, never consistency.
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
                raw = cursor.cursor
                with raw.copy(f"COPY {qn(table)} ({col_sql}) FROM STDIN") as copy:
                    for row in batch:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(cols))
                cursor.executemany(
                    f"INSERT INTO {qn(table)} ({col_sql}) VALUES ({marks})", batch
                )


def adapt(f: models.Field, value: Any) -> Any:
    """A Python value as the database driver takes it, for the bulk paths."""
    if value is None:
        return None
    if isinstance(f, models.JSONField):
        return json.dumps(value)
    if isinstance(f, models.DateTimeField):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(f, models.DateField):
        return connection.ops.adapt_datefield_value(value)
    return value


def _dt(value: datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


def _d(value: date | None) -> Any:
    return None if value is None else connection.ops.adapt_datefield_value(value)


def _start(term: Term) -> date:
    """Generated terms always have both dates."""
    assert term.start_date is not None
    return term.start_date


def _end(term: Term) -> date:
    assert term.end_date is not None
    return term.end_date


def _next_ids(*models_: type[models.Model]) -> dict[type[models.Model], int]:
    return {
        m: (m._default_manager.aggregate(m=Max("pk"))["m"] or 0) + 1 for m in models_
    }


# --- the generator ------------------------------------------------------------------


@dataclass
class Plan:
    courses: int
    users: int
    lists: int
    citations: int
    enrolments: int
    marks: int

    @classmethod
    def for_scale(cls, scale: float) -> Plan:
        n = {k: max(1, round(v * scale)) for k, v in FULL_SIZE.items()}
        # Every list needs a course; every department instructors, plus some students.
        n["courses"] = max(n["courses"], n["lists"], 2)
        n["users"] = max(n["users"], len(DEPARTMENTS) + 16)
        return cls(**n)


# A list's citations to write: list id, owner id, department index, term start,
# status chooser, [(section id, citation count)].
_ListLayout = tuple[
    int, int, int, date, Callable[[random.Random], str], list[tuple[int, int]]
]


@dataclass
class _CourseRow:
    pk: int
    code: str
    section: str
    name: str
    dept: int
    term: int
    instructors: list[int] = field(default_factory=list)
    students: list[int] = field(default_factory=list)


def next_run() -> int:
    run = 1
    while User.objects.filter(primary_id__startswith=f"G{run}-").exists():
        run += 1
    return run


def generate(
    *,
    scale: float,
    seed: int = 2026,
    stdout: Any = None,
    bench_lists: bool = True,
    batch_size: int = 20_000,
) -> GenerateReport:
    """Adds generated data of `scale` (1.0 = size l) to the default database."""
    out = stdout or sys.stdout
    plan = Plan.for_scale(scale)
    run = next_run()
    report = GenerateReport(run=run, scale=scale, vendor=connection.vendor)
    out.write(
        f"Generating run G{run} at scale {scale:g} into {connection.vendor} "
        f"({plan.courses:,} courses, {plan.users:,} users, {plan.lists:,} lists, "
        f"{plan.citations:,} citations)\n"
    )
    started = time.perf_counter()
    pragmas = _SqlitePragmas()
    pragmas.relax()
    try:
        _Generator(
            plan, run, seed, report, BulkWriter(report, out, batch_size), bench_lists
        ).run()
    finally:
        pragmas.restore()
    finish_started = time.perf_counter()
    _analyze()
    report.seconds = time.perf_counter() - started
    out.write(
        f"  {'(analyze)':<32} {'':>10} {'':4} {time.perf_counter() - finish_started:8.1f} s\n"
    )
    rate = report.rows / report.seconds if report.seconds else 0.0
    out.write(
        f"Done: {report.rows:,} rows in {report.seconds:.1f} s ({rate:,.0f} rows/s overall)\n"
    )
    return report


class _SqlitePragmas:
    """Bulk loading on SQLite without a sync per commit; restored afterwards. Not inside
    someone else's transaction (tests), where PRAGMA changes would not apply anyway."""

    def __init__(self) -> None:
        self.active = connection.vendor == "sqlite" and not connection.in_atomic_block

    def relax(self) -> None:
        if self.active:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA synchronous=OFF")
                cursor.execute("PRAGMA cache_size=-262144")

    def restore(self) -> None:
        if self.active:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA synchronous=NORMAL")
                cursor.execute("PRAGMA cache_size=-64000")
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _analyze() -> None:
    """Fresh planner statistics: a table that grew from empty to a million rows would
    otherwise be planned as if empty."""
    # Every table the generator writes, link tables included (the task list's term
    # filter was planned from default estimates while course_terms had none).
    tables = [
        m._meta.db_table
        for m in (
            User,
            Course,
            Enrolment,
            ReadingList,
            Section,
            Citation,
            Collaborator,
            CitationInteraction,
        )
    ]
    tables += [
        Citation.tags.through._meta.db_table,
        ReadingList.courses.through._meta.db_table,
        Course.terms.through._meta.db_table,
        Course.campuses.through._meta.db_table,
    ]
    if connection.in_atomic_block and connection.vendor == "sqlite":
        return
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


class _Generator:
    def __init__(
        self,
        plan: Plan,
        run: int,
        seed: int,
        report: GenerateReport,
        writer: BulkWriter,
        bench_lists: bool,
    ) -> None:
        self.plan = plan
        self.run_no = run
        self.rng = random.Random(f"{seed}:{run}")
        self.report = report
        self.w = writer
        self.bench_lists = bench_lists
        self.now = timezone.now()
        self.password = make_password(BENCH_PASSWORD)
        self.style = InstitutionSettings.current().citation_style
        self.ids = _next_ids(User, Course, ReadingList, Section, Citation)
        self.prefix = "" if run == 1 else f"g{run}-"
        self.material = Chooser(MATERIAL_WEIGHTS)
        self.list_status = Chooser(LIST_STATUS_WEIGHTS)
        self.publication = {k: Chooser(v) for k, v in PUBLICATION_WEIGHTS.items()}
        self.citation_status = {
            k: Chooser(v) for k, v in CITATION_STATUS_WEIGHTS.items()
        }
        self.visibility = Chooser(VISIBILITY_WEIGHTS)
        # A pool of timestamps over the last four months (adapted once).
        moments = [
            self.now - timedelta(seconds=self.rng.randrange(0, 120 * 86400))
            for _ in range(2000)
        ]
        self.times = [_dt(t) for t in moments]
        # Completion of a list made at times[i]: 1 to 29 days later (no draw from
        # the random stream, so every other generated value stays as it was).
        self.completed_times = [
            _dt(min(t + timedelta(days=1 + i * 7919 % 29, hours=i % 9), self.now))
            for i, t in enumerate(moments)
        ]

    def take_ids(self, model: type[models.Model], n: int) -> int:
        first = self.ids[model]
        self.ids[model] = first + n
        return first

    # -- reference rows (get or create: shared by every run and by the demo) ----------

    def reference(self) -> None:
        self.libraries = {
            code: Department.objects.get_or_create(code=code, defaults={"name": name})[
                0
            ].pk
            for code, name in LIBRARIES
        }
        self.departments = []
        for code, name, library, topics in DEPARTMENTS:
            dept = Department.objects.get_or_create(code=code, defaults={"name": name})[
                0
            ]
            self.departments.append(
                (dept.pk, code, name, self.libraries[library], topics)
            )
        self.terms = [
            Term.objects.get_or_create(
                code=code, defaults={"name": name, "start_date": start, "end_date": end}
            )[0]
            for code, name, start, end in TERMS
        ]
        self.campuses = [
            Campus.objects.get_or_create(code=code, defaults={"name": name})[0].pk
            for code, name in CAMPUSES
        ]
        self.tags = []
        for position, name in enumerate(("Essential", "Recommended", "Optional")):
            tag, _ = Tag.objects.get_or_create(
                kind=TagKind.PUBLIC, name=name, defaults={"position": position}
            )
            self.tags.append(tag.pk)

    # -- works ---------------------------------------------------------------------

    def build_works(self) -> None:
        """A pool of works per department; lists draw from it, as real lists share
        their textbooks."""
        per_dept = max(
            20, min(2500, self.plan.citations // (len(self.departments) * 8))
        )
        self.works: list[list[Work]] = []
        serial = self.run_no * 10_000_000
        for _pk, _code, _name, _lib, topics in self.departments:
            pool = []
            for _ in range(per_dept):
                serial += 1
                pool.append(
                    make_work(
                        self.rng,
                        self.material(self.rng),
                        self.rng.choice(topics),
                        serial,
                    )
                )
            self.works.append(pool)

    # -- people --------------------------------------------------------------------

    def users(self) -> None:
        n = self.plan.users
        n_admins = max(1, n // 6000)
        n_librarians = max(2, n // 600)
        n_instructors = max(len(self.departments), n * 8 // 100)
        first = self.take_ids(User, n)
        roles = (
            [Role.ADMIN] * n_admins
            + [Role.LIBRARIAN] * n_librarians
            + [Role.INSTRUCTOR] * n_instructors
        )
        roles += [Role.STUDENT] * (n - len(roles))
        self.librarians = [
            first + i for i, r in enumerate(roles) if r == Role.LIBRARIAN
        ]
        instructors = [first + i for i, r in enumerate(roles) if r == Role.INSTRUCTOR]
        self.students = [first + i for i, r in enumerate(roles) if r == Role.STUDENT]
        nd = len(self.departments)
        self.instructors_by_dept = [instructors[d::nd] for d in range(nd)]
        rng = self.rng

        def rows() -> Iterator[tuple]:
            for i, role in enumerate(roles):
                given, family = rng.choice(GIVEN_NAMES), rng.choice(FAMILY_NAMES)
                ascii_family = family.replace("'", "").lower()
                username = f"{self.prefix}{given[0].lower()}{ascii_family}{i + 1}"
                yield (
                    first + i,
                    username,
                    self.password,
                    given,
                    family,
                    f"{username}@example.edu",
                    role,
                    f"G{self.run_no}-{i + 1:07d}",
                    role == Role.ADMIN,
                    role == Role.ADMIN,
                    rng.choice(self.times),
                )

        self.w.write(
            User,
            (
                "id",
                "username",
                "password",
                "first_name",
                "last_name",
                "email",
                "role",
                "primary_id",
                "is_staff",
                "is_superuser",
                "date_joined",
            ),
            rows(),
        )

    # -- courses -------------------------------------------------------------------

    def courses(self) -> None:
        n = self.plan.courses
        nd = len(self.departments)
        first = self.take_ids(Course, n)
        rng = self.rng
        term_chooser = Chooser([(0, 50), (1, 40), (2, 10)])
        suffix = "" if self.run_no == 1 else f"-G{self.run_no}"
        # Course names by level (1: first year ... 4: final year and masters).
        patterns = {
            1: ("Introduction to {t}", "Foundations of {t}", "{T}: an introduction"),
            2: ("{T}: theory and practice", "{T} in context", "Research methods: {t}"),
            3: ("Topics in {t}", "{T}: debates and controversies", "Seminar in {t}"),
            4: ("Advanced topics in {t}", "Special subject: {t}", "Dissertation: {t}"),
        }
        self.course_rows: list[_CourseRow] = []
        for i in range(n):
            d = i % nd
            k = i // nd
            level, serial = 1 + k % 4, k // 4
            _pk, code, _name, _lib, topics = self.departments[d]
            topic = topics[(serial // 2) % len(topics)]
            name = rng.choice(patterns[level]).format(
                t=topic, T=topic[0].upper() + topic[1:]
            )
            self.course_rows.append(
                _CourseRow(
                    pk=first + i,
                    code=f"{code}{level}{(serial // 2) % 1000:03d}",
                    section=f"{serial % 2 + 1:02d}{suffix}",
                    name=name,
                    dept=d,
                    term=term_chooser(rng),
                )
            )
            pool = self.instructors_by_dept[d]
            self.course_rows[-1].instructors.append(pool[k % len(pool)])
            if rng.random() < 0.25 and len(pool) > 1:
                self.course_rows[-1].instructors.append(pool[(k + 1) % len(pool)])

        def rows() -> Iterator[tuple]:
            for c in self.course_rows:
                term = self.terms[c.term]
                pk, _code, _name, lib, _topics = self.departments[c.dept]
                participants = int(rng.lognormvariate(3.4, 0.8)) + 5
                yield (
                    c.pk,
                    c.code,
                    c.section,
                    c.name,
                    pk,
                    lib,
                    _start(term).year
                    if _start(term).month >= 8
                    else _start(term).year - 1,
                    _d(_start(term)),
                    _d(_end(term)),
                    participants,
                    rng.randrange(1, 7),
                    json.dumps([f"{c.code}-{c.section}-{term.code}"]),
                    _d(_start(term) - timedelta(weeks=6)),
                    rng.random() < 0.03,
                    self.times[0],
                    self.times[0],
                )

        self.w.write(
            Course,
            (
                "id",
                "code",
                "section",
                "name",
                "academic_department",
                "processing_department",
                "year",
                "start_date",
                "end_date",
                "participants",
                "weekly_hours",
                "searchable_ids",
                "submit_lists_by",
                "no_list_expected",
                "created_at",
                "updated_at",
            ),
            rows(),
        )
        terms = [t.pk for t in self.terms]
        self.w.write(
            Course.terms.through,
            ("course", "term"),
            ((c.pk, terms[c.term]) for c in self.course_rows),
        )
        self.w.write(
            CourseCampus,
            ("course", "campus", "participants"),
            (
                (
                    c.pk,
                    self.campuses[
                        2
                        if self.departments[c.dept][1] in ("MEDI", "NURS")
                        else c.pk % 2
                    ],
                    0,
                )
                for c in self.course_rows
            ),
        )

    def enrolments(self) -> None:
        rng = self.rng
        teaching = sum(len(c.instructors) for c in self.course_rows)
        budget = max(0, self.plan.enrolments - teaching)
        courses = self.course_rows
        nd = len(self.departments)
        by_dept = [[c for c in courses if c.dept == d] for d in range(nd)]
        per_student = budget / max(1, len(self.students))
        for student in self.students:
            if budget <= 0:
                break
            # Most of a student's courses are in their own department.
            home = by_dept[rng.randrange(nd)]
            want = min(budget, max(1, round(rng.gauss(per_student, 1.2))))
            chosen: dict[int, _CourseRow] = {}
            for _ in range(want):
                pool = home if home and rng.random() < 0.75 else courses
                course = pool[rng.randrange(len(pool))]
                chosen[course.pk] = course
            budget -= len(chosen)
            for course in chosen.values():
                course.students.append(student)

        def rows() -> Iterator[tuple]:
            t = self.times[0]
            for c in courses:
                for u in c.instructors:
                    yield (u, c.pk, CourseRole.INSTRUCTOR, t)
                for u in c.students:
                    yield (u, c.pk, CourseRole.STUDENT, t)

        self.w.write(Enrolment, ("user", "course", "role", "created_at"), rows())

    # -- lists -----------------------------------------------------------------------

    def lists(self) -> None:
        rng = self.rng
        n = self.plan.lists
        eligible = list(self.course_rows)
        rng.shuffle(eligible)
        chosen = eligible[:n]
        first = self.take_ids(ReadingList, n)
        sizes = _split_total(rng, self.plan.citations, n)
        self.list_rows = []
        for i, (course, size) in enumerate(zip(chosen, sizes, strict=True)):
            status = self.list_status(rng)
            publication = self.publication[status](rng)
            self.list_rows.append((first + i, course, status, publication, size))

        def rows() -> Iterator[tuple]:
            for pk, course, status, publication, _size in self.list_rows:
                term = self.terms[course.term]
                owner = course.instructors[0]
                with_library = status not in (
                    ListStatus.BEING_PREPARED,
                    ListStatus.ROLLED_OVER,
                )
                moment = rng.randrange(len(self.times))  # as rng.choice(self.times)
                created = self.times[moment]
                librarian = rng.choice(self.librarians) if with_library else None
                done = status == ListStatus.COMPLETE
                completed = self.completed_times[moment]
                yield (
                    pk,
                    f"{course.code}-{course.section}-{term.code}",
                    course.name,
                    f"Reading for {course.code} ({term.name}).",
                    status,
                    publication,
                    self.visibility(rng),
                    MaterialAccess.FULL
                    if rng.random() < 0.9
                    else MaterialAccess.COURSE,
                    librarian,
                    self.departments[course.dept][3],
                    json.dumps([self.departments[course.dept][2]]),
                    created if with_library else None,
                    owner if with_library else None,
                    created if publication == PublicationStatus.PUBLISHED else None,
                    completed if done else None,
                    librarian if done else None,
                    owner,
                    created,
                    created,
                )

        self.w.write(
            ReadingList,
            (
                "id",
                "code",
                "name",
                "description",
                "status",
                "publication_status",
                "visibility",
                "material_access",
                "assigned_librarian",
                "processing_department",
                "subjects",
                "sent_to_library_at",
                "sent_to_library_by",
                "published_at",
                "completed_at",
                "completed_by",
                "created_by",
                "created_at",
                "updated_at",
            ),
            rows(),
        )

        def links() -> Iterator[tuple]:
            for pk, course, *_rest in self.list_rows:
                yield (pk, course.pk)
                # Some lists serve both sections of a course.
                if course.section.startswith("01") and rng.random() < 0.05:
                    sibling = course.pk + len(self.departments) * 4
                    if sibling < self.ids[Course]:
                        yield (pk, sibling)

        self.w.write(ReadingList.courses.through, ("readinglist", "course"), links())

        def collaborators() -> Iterator[tuple]:
            t = self.times[0]
            for pk, course, *_rest in self.list_rows:
                yield (pk, course.instructors[0], CollaboratorRight.OWNER, t)
                if len(course.instructors) > 1:
                    yield (pk, course.instructors[1], CollaboratorRight.EDITOR, t)

        self.w.write(
            Collaborator,
            ("reading_list", "user", "right", "created_at"),
            collaborators(),
        )

        def events() -> Iterator[tuple]:
            for pk, course, *_rest in self.list_rows:
                yield (
                    course.instructors[0],
                    "list.create",
                    "list",
                    pk,
                    pk,
                    f"Created the list “{course.name}”"[:500],
                    json.dumps({"courses": [f"{course.code}-{course.section}"]}),
                    rng.choice(self.times),
                )

        self.w.write(
            Event,
            (
                "actor",
                "verb",
                "target_type",
                "target_id",
                "list_id",
                "summary",
                "params",
                "created_at",
            ),
            events(),
        )

    def sections_and_citations(self) -> None:
        """Sections and citations of the generated lists, ids allocated per list."""
        rng = self.rng
        plans = []  # (list pk, owner, list status, dept, [(section pk, count)])
        section_rows = []
        total_sections = 0
        for pk, course, status, _publication, size in self.list_rows:
            n_sections = max(1, min(12, round(size / 8)))
            total_sections += n_sections
            plans.append((pk, course, status, size, n_sections))
        first_section = self.take_ids(Section, total_sections)
        sid = first_section
        layout = []
        for pk, course, status, size, n_sections in plans:
            counts = _even_split(size, n_sections)
            weekly = rng.random() < 0.6
            secs = []
            for pos in range(n_sections):
                if weekly:
                    name = f"Week {pos + 1}: {rng.choice(self.departments[course.dept][4])}"
                else:
                    name = SECTION_NAMES[pos % len(SECTION_NAMES)]
                    if pos >= len(SECTION_NAMES):
                        name += f" ({pos // len(SECTION_NAMES) + 1})"
                section_rows.append((sid, pk, name, pos, pos == 0))
                secs.append((sid, counts[pos]))
                sid += 1
            layout.append((pk, course, status, secs))

        self.w.write(
            Section,
            ("id", "reading_list", "name", "position", "is_default"),
            iter(section_rows),
        )
        del section_rows
        first_citation = self.take_ids(Citation, self.plan.citations)
        # (list pk, first citation id, count), for the marks.
        self.citation_ranges: list[tuple[int, int, int]] = []
        self._write_citations(
            (
                (
                    pk,
                    course.instructors[0],
                    course.dept,
                    _start(self.terms[course.term]),
                    self.citation_status[status],
                    secs,
                )
                for pk, course, status, secs in layout
            ),
            first_citation,
            collect_ranges=True,
        )

    def _write_citations(
        self,
        layout: Iterable[_ListLayout],
        first_id: int,
        collect_ranges: bool = False,
        tag_share: float = 0.2,
        label: str = "",
    ) -> None:
        rng = self.rng
        tag_links: list[tuple[int, int]] = []
        style = self.style
        times = self.times

        def rows() -> Iterator[tuple]:
            cid = first_id
            for list_pk, owner, dept, term_start, status_of, secs in layout:
                pool = self.works[dept]
                start = cid
                for section_pk, count in secs:
                    for pos in range(count):
                        work = (
                            pool[rng.randrange(len(pool))]
                            if rng.random() < 0.85
                            else rng.choice(rng.choice(self.works))
                        )
                        status = status_of(rng)
                        r = rng.random()
                        if r < tag_share:
                            tag_links.append((cid, self.tags[int(r / tag_share * 3)]))
                        due = None
                        if rng.random() < 0.15:
                            due = _d(term_start + timedelta(days=rng.randrange(0, 70)))
                        copyright_status = CopyrightStatus.NOT_DETERMINED
                        if status == CitationStatus.COMPLETE:
                            copyright_status = (
                                CopyrightStatus.APPROVED
                                if work.material_type == MaterialType.BOOK_CHAPTER
                                else CopyrightStatus.NOT_REQUIRED
                            )
                        t = times[cid % len(times)]
                        yield (
                            cid,
                            list_pk,
                            section_pk,
                            pos,
                            work.material_type,
                            work.metadata_json,
                            work.title,
                            work.author,
                            rng.choice(PUBLIC_NOTES) if rng.random() < 0.1 else "",
                            rng.choice(INSTRUCTOR_NOTES) if rng.random() < 0.04 else "",
                            rng.choice(LIBRARY_NOTES)
                            if status
                            in (CitationStatus.COMPLETE, CitationStatus.IN_PROCESS)
                            and rng.random() < 0.03
                            else "",
                            status,
                            rng.choice(DECLINE_REASONS)
                            if status == CitationStatus.DECLINED
                            else "",
                            copyright_status,
                            due,
                            work.rendered_html,
                            style,
                            owner,
                            t,
                            t,
                        )
                        cid += 1
                if collect_ranges:
                    self.citation_ranges.append((list_pk, start, cid - start))

        self.w.write(
            Citation,
            (
                "id",
                "reading_list",
                "section",
                "position",
                "material_type",
                "metadata",
                "title",
                "author",
                "public_note",
                "instructor_note",
                "library_note",
                "status",
                "decline_reason",
                "copyright_status",
                "due_date",
                "rendered_html",
                "rendered_style",
                "created_by",
                "created_at",
                "updated_at",
            ),
            rows(),
            label,
        )
        self.w.write(Citation.tags.through, ("citation", "tag"), iter(tag_links), label)

    def marks(self) -> None:
        """Students' done and liked marks on lists of the courses they take."""
        rng = self.rng
        by_list = {
            pk: (course, status, pub) for pk, course, status, pub, _s in self.list_rows
        }
        candidates = [
            (pk, first, count)
            for pk, first, count in self.citation_ranges
            if count
            and by_list[pk][2] == PublicationStatus.PUBLISHED
            and by_list[pk][0].students
        ]
        budget = self.plan.marks

        def rows() -> Iterator[tuple]:
            nonlocal budget
            seen: set[tuple[int, int]] = set()
            t = self.times[0]
            attempts = 0
            while budget > 0 and candidates and attempts < self.plan.marks * 3:
                attempts += 1
                pk, first, count = rng.choice(candidates)
                user = rng.choice(by_list[pk][0].students)
                cid = first + rng.randrange(count)
                if (user, cid) in seen:
                    continue
                seen.add((user, cid))
                budget -= 1
                yield (user, cid, pk, rng.random() < 0.8, rng.random() < 0.25, t)

        self.w.write(
            CitationInteraction,
            ("user", "citation", "reading_list", "done", "liked", "updated_at"),
            rows(),
        )

    # -- the benchmark lists ---------------------------------------------------------

    def bench(self) -> None:
        if ReadingList.objects.filter(code__in=[b[0] for b in BENCH_LISTS]).exists():
            return
        rng = self.rng
        dept = next(i for i, d in enumerate(self.departments) if d[1] == "BIOL")
        dept_pk, _code, _name, library, _topics = self.departments[dept]
        term = self.terms[0]
        instructor, _ = User.objects.get_or_create(
            username=BENCH_INSTRUCTOR,
            defaults={
                "password": self.password,
                "first_name": "Benedict",
                "last_name": "Marsh",
                "role": Role.INSTRUCTOR,
            },
        )
        student, _ = User.objects.get_or_create(
            username=BENCH_STUDENT,
            defaults={
                "password": self.password,
                "first_name": "Bea",
                "last_name": "Rowe",
                "role": Role.STUDENT,
            },
        )
        classmates = self.students[: min(40, len(self.students))]
        published = self.now - timedelta(days=30)
        self.ids = _next_ids(User, Course, ReadingList, Section, Citation)
        for list_code, course_code, size, n_sections in BENCH_LISTS:
            course = Course.objects.create(
                code=course_code,
                section="01",
                name="Introduction to Biology (benchmark)",
                academic_department_id=dept_pk,
                processing_department_id=library,
                year=_start(term).year,
                start_date=_start(term),
                end_date=_end(term),
                participants=len(classmates) + 1,
            )
            course.terms.add(term)
            Enrolment.objects.bulk_create(
                [Enrolment(user=instructor, course=course, role=CourseRole.INSTRUCTOR)]
                + [
                    Enrolment(user_id=u, course=course, role=CourseRole.STUDENT)
                    for u in [student.pk, *classmates]
                ]
            )
            reading_list = ReadingList.objects.create(
                code=list_code,
                name=f"Introduction to Biology: {size} readings",
                description="A benchmark list: every item complete and published.",
                status=ListStatus.COMPLETE,
                publication_status=PublicationStatus.PUBLISHED,
                visibility=Visibility.COURSE,
                processing_department_id=library,
                published_at=published,
                sent_to_library_at=published,
                sent_to_library_by=instructor,
                created_by=instructor,
            )
            reading_list.courses.add(course)
            Collaborator.objects.create(
                reading_list=reading_list,
                user=instructor,
                right=CollaboratorRight.OWNER,
            )
            Section.objects.bulk_create(
                [
                    Section(
                        reading_list=reading_list,
                        name=f"Week {i + 1}: {self.departments[dept][4][i % 8]}",
                        position=i,
                        is_default=i == 0,
                    )
                    for i in range(n_sections)
                ]
            )
            sections = list(reading_list.sections.order_by("position"))
            counts = _even_split(size, n_sections)
            first = self.take_ids(Citation, size)
            self._write_citations(
                [
                    (
                        reading_list.pk,
                        instructor.pk,
                        dept,
                        _start(term),
                        lambda _r: CitationStatus.COMPLETE,
                        [(s.pk, n) for s, n in zip(sections, counts, strict=True)],
                    )
                ],
                first,
                tag_share=0.3,
                label=list_code,
            )
            marks = [
                CitationInteraction(
                    user=student,
                    citation_id=first + i,
                    reading_list=reading_list,
                    done=True,
                    liked=rng.random() < 0.3,
                )
                for i in range(0, size, 7)
            ]
            CitationInteraction.objects.bulk_create(marks)

    def run(self) -> None:
        self.reference()
        self.build_works()
        self.users()
        self.courses()
        self.enrolments()
        self.lists()
        self.sections_and_citations()
        self.marks()
        self._reset_sequences()
        if self.bench_lists:
            self.bench()
            self._reset_sequences()

    def _reset_sequences(self) -> None:
        statements = connection.ops.sequence_reset_sql(
            no_style(), [User, Course, ReadingList, Section, Citation]
        )
        if statements:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)


def _even_split(total: int, parts: int) -> list[int]:
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def _split_total(rng: random.Random, total: int, parts: int) -> list[int]:
    """`parts` list sizes summing to `total`, skewed like real lists (most short, a
    few very long)."""
    weights = [rng.lognormvariate(0, 0.9) for _ in range(parts)]
    scale = total / sum(weights)
    sizes = [int(w * scale) for w in weights]
    remainder = total - sum(sizes)
    for i in range(remainder):
        sizes[i % parts] += 1
    return sizes
