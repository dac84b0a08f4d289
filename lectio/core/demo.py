"""The demo institution: Lectio University, its people, courses and reading lists.

Built through the list services, so the lists carry real history (events) and real
citeproc-formatted citations. The records on the hand-made lists are real publications;
the long "Introduction to Biology" list is filled with generated, plausible ones.
"""

from __future__ import annotations

import json
import random
import sys
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, TextIO

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Count

from lectio.accounts.models import InstitutionSettings, Role, User
from lectio.catalog.demo import load_demo_catalog
from lectio.catalog.models import Item as CatalogItem
from lectio.catalog.models import Record
from lectio.core.generate import LIBRARIES, Chooser, make_work
from lectio.courses.models import (
    Campus,
    Course,
    CourseCampus,
    CourseRole,
    Department,
    Enrolment,
    Term,
)
from lectio.lists import processing, services
from lectio.lists.locate import locate_citations
from lectio.lists.models import (
    Citation,
    CollaboratorRight,
    MaterialType,
    ReadingList,
    Section,
    Tag,
    TagKind,
)
from lectio.lists.statuses import (
    CitationStatus,
    ListStatus,
    PublicationStatus,
    Visibility,
)

DEMO_PASSWORD = "lectio"
SEED = 2026

# --- people -------------------------------------------------------------------------

# (username, first name, last name, role, department code or "")
STAFF = [
    ("admin", "Alex", "Morgan", Role.ADMIN, ""),
    ("librarian", "Helen", "Marsh", Role.LIBRARIAN, ""),
    ("librarian2", "Oliver", "Grant", Role.LIBRARIAN, ""),
    ("instructor", "Eleanor", "Whitfield", Role.INSTRUCTOR, "HIST"),
    ("instructor2", "Rajesh", "Iyer", Role.INSTRUCTOR, "BIOL"),
    ("instructor3", "Margaret", "O'Connell", Role.INSTRUCTOR, "LAW"),
    ("instructor4", "Tomasz", "Nowak", Role.INSTRUCTOR, "COMP"),
    ("instructor5", "Amara", "Okafor", Role.INSTRUCTOR, "ECON"),
    ("instructor6", "David", "Chen", Role.INSTRUCTOR, "BIOL"),
    # A doctoral student who is a teaching assistant on two courses.
    ("ta", "Priya", "Shah", Role.STUDENT, "BIOL"),
]
STUDENT_NAMES = [
    ("Sam", "Taylor"),
    ("Olivia", "Bennett"),
    ("Mohammed", "Rahman"),
    ("Chloe", "Dubois"),
    ("Kwame", "Mensah"),
    ("Isla", "Fraser"),
    ("Lucas", "Silva"),
    ("Mei", "Zhang"),
    ("Jack", "Murphy"),
    ("Aisha", "Begum"),
    ("Noah", "Williams"),
    ("Sofia", "Rossi"),
    ("Arjun", "Reddy"),
    ("Emma", "Jensen"),
    ("Oscar", "Kowalski"),
    ("Leila", "Haddad"),
    ("Harry", "Evans"),
    ("Yuki", "Tanaka"),
    ("Grace", "Campbell"),
    ("Daniel", "Okoye"),
    ("Freya", "Larsen"),
    ("Tariq", "Hussain"),
    ("Zoe", "Clarke"),
    ("Mateo", "Garcia"),
    ("Ivy", "Walsh"),
    ("Rhys", "Davies"),
    ("Ananya", "Gupta"),
    ("Ewan", "Stewart"),
    ("Hannah", "Schmidt"),
    ("Min-jun", "Park"),
    ("Niamh", "Byrne"),
    ("Samuel", "Adeyemi"),
    ("Valentina", "Lopez"),
    ("George", "Hughes"),
    ("Linh", "Nguyen"),
    ("Ella", "Watson"),
]

# --- institution --------------------------------------------------------------------

DEPARTMENTS = [
    ("HIST", "History"),
    ("BIOL", "Biology"),
    ("LAW", "Law"),
    ("COMP", "Computer Science"),
    ("ECON", "Economics"),
]
TERMS = [
    ("AUT2025", "Autumn 2025", date(2025, 9, 29), date(2025, 12, 12)),
    ("SPR2026", "Spring 2026", date(2026, 1, 12), date(2026, 3, 27)),
    ("AUT2026", "Autumn 2026", date(2026, 9, 28), date(2026, 12, 11)),
    ("SPR2027", "Spring 2027", date(2027, 1, 11), date(2027, 3, 26)),
]
CAMPUSES = [("CITY", "City Campus"), ("RIVER", "Riverside Campus")]


@dataclass
class CourseSpec:
    code: str
    section: str
    name: str
    dept: str
    library: str
    term: str
    participants: int
    instructors: list[str]
    tas: list[str] = field(default_factory=list)
    campus: str = "CITY"


COURSES = [
    CourseSpec("HIST101", "01", "The Making of the Modern World, 1750-1914", "HIST", "LIB-MAIN", "AUT2026", 120, ["instructor"]),
    CourseSpec("HIST101", "02", "The Making of the Modern World, 1750-1914", "HIST", "LIB-MAIN", "AUT2026", 85, ["instructor"]),
    CourseSpec("HIST205", "01", "The French Revolution and Napoleon", "HIST", "LIB-MAIN", "SPR2027", 48, ["instructor"]),
    CourseSpec("HIST310", "01", "Historiography: Theory and Method", "HIST", "LIB-MAIN", "SPR2027", 22, ["instructor"]),
    CourseSpec("BIOL101", "01", "Introduction to Biology", "BIOL", "LIB-SCI", "AUT2026", 240, ["instructor2", "instructor6"], ["ta"], "RIVER"),
    CourseSpec("BIOL210", "01", "Genetics and Genomics", "BIOL", "LIB-SCI", "SPR2027", 96, ["instructor2"], ["ta"], "RIVER"),
    CourseSpec("BIOL220", "01", "Ecology and Evolution", "BIOL", "LIB-SCI", "AUT2026", 74, ["instructor6"], [], "RIVER"),
    CourseSpec("LAW101", "01", "Foundations of English Law", "LAW", "LIB-LAW", "AUT2026", 160, ["instructor3"]),
    CourseSpec("LAW210", "01", "Law of Tort", "LAW", "LIB-LAW", "SPR2027", 150, ["instructor3"]),
    CourseSpec("LAW220", "01", "Contract Law", "LAW", "LIB-LAW", "AUT2026", 155, ["instructor3"]),
    CourseSpec("COMP101", "01", "Introduction to Programming", "COMP", "LIB-SCI", "AUT2026", 210, ["instructor4"], [], "RIVER"),
    CourseSpec("COMP230", "01", "Database Systems", "COMP", "LIB-SCI", "SPR2027", 130, ["instructor4"], [], "RIVER"),
    CourseSpec("COMP350", "01", "Machine Learning", "COMP", "LIB-SCI", "SPR2027", 90, ["instructor4"], [], "RIVER"),
    CourseSpec("ECON101", "01", "Principles of Economics", "ECON", "LIB-MAIN", "AUT2026", 300, ["instructor5"]),
    CourseSpec("ECON220", "01", "Macroeconomics", "ECON", "LIB-MAIN", "SPR2027", 140, ["instructor5"]),
    # Last year's runs of two courses, for the archived and inactive lists.
    CourseSpec("ECON220", "01-SPR26", "Macroeconomics", "ECON", "LIB-MAIN", "SPR2026", 132, ["instructor5"]),
    CourseSpec("BIOL101", "01-AUT25", "Introduction to Biology", "BIOL", "LIB-SCI", "AUT2025", 228, ["instructor2"], [], "RIVER"),
]  # fmt: skip
# The demo student's courses: each has a published list with complete items.
STUDENT_COURSES = [
    "HIST101-01",
    "HIST205-01",
    "BIOL101-01",
    "BIOL210-01",
    "LAW101-01",
    "COMP101-01",
    "ECON101-01",
]

# --- citations ------------------------------------------------------------------------


@dataclass
class Item:
    material_type: str
    csl: dict[str, Any]
    tag: str = ""
    note: str = ""
    instructor_note: str = ""
    due_week: int | None = None
    # Where the library workflow leaves it; None: what the list's status implies.
    status: str | None = None
    reason: str = ""


def _names(text: str) -> list[dict[str, str]]:
    return services.parse_names(text)


def _csl(
    csl_type: str, title: str, names: str = "", year: int | None = None, **fields: Any
) -> dict[str, Any]:
    csl: dict[str, Any] = {"type": csl_type, "title": title}
    if names:
        csl["author"] = _names(names)
    if year:
        csl["issued"] = {"date-parts": [[year]]}
    for key, value in fields.items():
        if key == "editors":
            csl["editor"] = _names(value)
        elif key == "translators":
            csl["translator"] = _names(value)
        else:
            csl[
                key.replace("_", "-")
                if key not in ("ISBN", "ISSN", "DOI", "URL")
                else key
            ] = value
    return csl


def book(
    title: str, names: str, year: int, publisher: str, place: str, **kw: Any
) -> dict[str, Any]:
    return _csl(
        "book", title, names, year, publisher=publisher, publisher_place=place, **kw
    )


def article(
    title: str,
    names: str,
    year: int,
    journal: str,
    volume: int,
    issue: int | None,
    page: str,
    **kw: Any,
) -> dict[str, Any]:
    fields = {"container_title": journal, "volume": str(volume), "page": page, **kw}
    if issue:
        fields["issue"] = str(issue)
    return _csl("article-journal", title, names, year, **fields)


def chapter(
    title: str,
    names: str,
    year: int,
    book_title: str,
    editors: str,
    page: str,
    publisher: str,
    place: str,
    **kw: Any,
) -> dict[str, Any]:
    return _csl(
        "chapter",
        title,
        names,
        year,
        container_title=book_title,
        editors=editors,
        page=page,
        publisher=publisher,
        publisher_place=place,
        **kw,
    )


def web(
    title: str, names: str, year: int, site: str, url: str, **kw: Any
) -> dict[str, Any]:
    return _csl("webpage", title, names, year, container_title=site, URL=url, **kw)


def case(
    title: str, year: int, reporter: str, authority: str, **kw: Any
) -> dict[str, Any]:
    return _csl(
        "legal_case",
        title,
        "",
        year,
        container_title=reporter,
        authority=authority,
        **kw,
    )


def act(title: str, year: int, chapter_no: str, url: str) -> dict[str, Any]:
    # APA in citeproc prints a number as a US public law; the chapter reads right here.
    return _csl("legislation", title, "", year, container_title=chapter_no, URL=url)


B, CH, A, J, EB = (
    MaterialType.BOOK,
    MaterialType.BOOK_CHAPTER,
    MaterialType.ARTICLE,
    MaterialType.JOURNAL,
    MaterialType.EBOOK,
)
W, V, AU, T, CP = (
    MaterialType.WEBSITE,
    MaterialType.VIDEO,
    MaterialType.AUDIO,
    MaterialType.THESIS,
    MaterialType.CONFERENCE_PAPER,
)
R, L, N, OT = (
    MaterialType.REPORT,
    MaterialType.LEGAL_DOCUMENT,
    MaterialType.NOTE,
    MaterialType.OTHER,
)
DONE = CitationStatus.COMPLETE
IN_PROCESS = CitationStatus.IN_PROCESS
READY = CitationStatus.READY_FOR_PROCESSING
DECLINED = CitationStatus.DECLINED

WATSON_CRICK = article(
    "Molecular structure of nucleic acids: A structure for deoxyribose nucleic acid",
    "Watson, J. D.; Crick, F. H. C.",
    1953,
    "Nature",
    171,
    4356,
    "737-738",
    DOI="10.1038/171737a0",
)
DONOGHUE = case(
    "Donoghue v Stevenson",
    1932,
    "Appeal Cases",
    "House of Lords",
    volume="1932",
    page="562",
)
DARWIN = book(
    "On the origin of species by means of natural selection",
    "Darwin, Charles",
    1859,
    "John Murray",
    "London",
)


@dataclass
class ListSpec:
    code: str
    name: str
    courses: list[str]
    owner: str
    status: str
    publication: str = PublicationStatus.DRAFT
    visibility: str = Visibility.COURSE
    description: str = ""
    editors: list[str] = field(default_factory=list)
    librarian: str = "librarian"
    sections: list[tuple[str, list[Item]]] = field(default_factory=list)


# Three more history courses whose lists share titles with HIST101 and HIST205 (and
# cite a few of their own): the co-citations the suggestions count.
RELATED_COURSES = [
    CourseSpec("HIST120", "01", "Europe in the Age of Revolutions", "HIST", "LIB-MAIN", "AUT2026", 70, ["instructor"]),
    CourseSpec("HIST140", "01", "Empires and Nations, 1750-1914", "HIST", "LIB-MAIN", "AUT2026", 64, ["instructor"]),
    CourseSpec("HIST230", "01", "Britain and the Industrial Revolution", "HIST", "LIB-MAIN", "SPR2027", 55, ["instructor"]),
]  # fmt: skip
AGE_OF_REVOLUTION = book(
    "The age of revolution: Europe 1789-1848",
    "Hobsbawm, Eric",
    1996,
    "Vintage Books",
    "New York",
    ISBN="9780679772538",
)
AGE_OF_CAPITAL = book(
    "The age of capital: 1848-1875",
    "Hobsbawm, Eric",
    1996,
    "Vintage Books",
    "New York",
    ISBN="9780679772545",
)
AGE_OF_EMPIRE = book(
    "The age of empire: 1875-1914",
    "Hobsbawm, Eric",
    1989,
    "Vintage Books",
    "New York",
    ISBN="9780679721758",
)
IMAGINED = book(
    "Imagined communities: Reflections on the origin and spread of nationalism",
    "Anderson, Benedict",
    2006,
    "Verso",
    "London",
    edition="Rev. ed.",
    ISBN="9781844670864",
)
MORAL_ECONOMY = article(
    "The moral economy of the English crowd in the eighteenth century",
    "Thompson, E. P.",
    1971,
    "Past & Present",
    50,
    None,
    "76-136",
    DOI="10.1093/past/50.1.76",
)
WORKING_CLASS = book(
    "The making of the English working class",
    "Thompson, E. P.",
    1966,
    "Vintage Books",
    "New York",
    ISBN="9780394703220",
)
BIRTH_MODERN = book(
    "The birth of the modern world, 1780-1914: Global connections and comparisons",
    "Bayly, C. A.",
    2004,
    "Blackwell",
    "Oxford",
    ISBN="9780631187998",
)
HUMAN_RIGHTS = book(
    "Inventing human rights: A history",
    "Hunt, Lynn",
    2007,
    "W. W. Norton",
    "New York",
    ISBN="9780393060959",
)
CITIZENS = book(
    "Citizens: A chronicle of the French Revolution",
    "Schama, Simon",
    1989,
    "Alfred A. Knopf",
    "New York",
    ISBN="9780394559483",
)
GREAT_DIVERGENCE = book(
    "The great divergence: China, Europe, and the making of the modern world economy",
    "Pomeranz, Kenneth",
    2000,
    "Princeton University Press",
    "Princeton, NJ",
    ISBN="9780691090108",
)
GREAT_TRANSFORMATION = book(
    "The great transformation: The political and economic origins of our time",
    "Polanyi, Karl",
    2001,
    "Beacon Press",
    "Boston",
    ISBN="9780807056431",
)


def _related_lists() -> list[ListSpec]:
    def items(*works: dict[str, Any]) -> list[Item]:
        return [Item(B if w.get("ISBN") else A, w, "Recommended") for w in works]

    return [
        ListSpec(
            "HIST120-AUT2026",
            "Europe in the Age of Revolutions: reading list",
            ["HIST120-01"],
            "instructor",
            ListStatus.COMPLETE,
            PublicationStatus.PUBLISHED,
            Visibility.INSTITUTION,
            sections=[
                ("Surveys", items(AGE_OF_REVOLUTION, AGE_OF_CAPITAL, BIRTH_MODERN)),
                ("Revolution and rights", items(CITIZENS, HUMAN_RIGHTS, IMAGINED)),
            ],
        ),
        ListSpec(
            "HIST140-AUT2026",
            "Empires and Nations, 1750-1914: reading list",
            ["HIST140-01"],
            "instructor",
            ListStatus.COMPLETE,
            PublicationStatus.PUBLISHED,
            Visibility.INSTITUTION,
            sections=[
                ("Global frames", items(GREAT_DIVERGENCE, BIRTH_MODERN, AGE_OF_EMPIRE)),
                ("Nations", items(IMAGINED, AGE_OF_REVOLUTION, AGE_OF_CAPITAL, HUMAN_RIGHTS)),
            ],
        ),
        ListSpec(
            "HIST230-SPR2027",
            "Britain and the Industrial Revolution: reading list",
            ["HIST230-01"],
            "instructor",
            ListStatus.COMPLETE,
            PublicationStatus.PUBLISHED,
            Visibility.INSTITUTION,
            sections=[
                ("Work and protest", items(MORAL_ECONOMY, WORKING_CLASS, GREAT_TRANSFORMATION)),
                ("The wider world", items(AGE_OF_REVOLUTION, BIRTH_MODERN, GREAT_DIVERGENCE, CITIZENS)),
            ],
        ),
    ]  # fmt: skip


def _lists() -> list[ListSpec]:
    return [
        ListSpec(
            "HIST101-AUT2026",
            "The Making of the Modern World: reading list",
            ["HIST101-01", "HIST101-02"],
            "instructor",
            ListStatus.COMPLETE,
            PublicationStatus.PUBLISHED,
            Visibility.PUBLIC,
            "Core and further reading for both seminar groups. Read the essential items "
            "before each week's seminar.",
            sections=[
                (
                    "Week 1: Approaches to modern history",
                    [
                        Item(B, book("What is history?", "Carr, E. H.", 1990, "Penguin", "London", edition="2", ISBN="9780140135848"), "Essential", "Read chapters 1 and 5.", due_week=1),
                        Item(B, book("The great divergence: China, Europe, and the making of the modern world economy", "Pomeranz, Kenneth", 2000, "Princeton University Press", "Princeton, NJ", ISBN="9780691090108"), "Recommended"),
                        Item(N, {"type": "document", "title": "How to read a primary source", "note": "Ask who wrote it, for whom, and why. We will practise in the first seminar."}),
                    ],
                ),
                (
                    "Week 2: The Atlantic revolutions",
                    [
                        Item(B, book("The age of revolution: Europe 1789-1848", "Hobsbawm, Eric", 1996, "Vintage Books", "New York", ISBN="9780679772538"), "Essential", due_week=2),
                        Item(A, article("The high Enlightenment and the low-life of literature in pre-revolutionary France", "Darnton, Robert", 1971, "Past & Present", 51, None, "81-115", DOI="10.1093/past/51.1.81"), "Recommended"),
                        Item(A, article("Historical events as transformations of structures: Inventing revolution at the Bastille", "Sewell, William H.", 1996, "Theory and Society", 25, 6, "841-881", DOI="10.1007/BF00159818"), "Optional"),
                        Item(L, _csl("legislation", "Declaration of the Rights of Man and of the Citizen", "", 1789, authority="National Constituent Assembly", URL="https://avalon.law.yale.edu/18th_century/rightsof.asp"), "Essential", "A primary source: read it in full."),
                        Item(W, web("Liberty, equality, fraternity: Exploring the French Revolution", "Roy Rosenzweig Center for History and New Media", 2001, "Roy Rosenzweig Center for History and New Media", "https://revolution.chnm.org/")),
                    ],
                ),
                (
                    "Week 3: Industrialisation and the moral economy",
                    [
                        Item(A, article("The moral economy of the English crowd in the eighteenth century", "Thompson, E. P.", 1971, "Past & Present", 50, None, "76-136", DOI="10.1093/past/50.1.76"), "Essential", due_week=3),
                        Item(V, _csl("motion_picture", "A history of Britain", "Schama, Simon", 2000, publisher="BBC", medium="Television series"), "Optional", "Episodes 12 and 13."),
                    ],
                ),
                (
                    "Week 4: Nations and nationalism",
                    [
                        Item(B, book("Imagined communities: Reflections on the origin and spread of nationalism", "Anderson, Benedict", 2006, "Verso", "London", edition="Rev. ed.", ISBN="9781844670864"), "Essential", due_week=4),
                        Item(B, book("Nations and nationalism", "Gellner, Ernest", 1983, "Blackwell", "Oxford"), "Recommended"),
                        Item(CH, chapter("The invention of tradition: The Highland tradition of Scotland", "Trevor-Roper, Hugh", 1983, "The invention of tradition", "Hobsbawm, Eric; Ranger, Terence", "15-41", "Cambridge University Press", "Cambridge", ISBN="9780521437738"), "Essential", "Scanned for this course under the CLA licence."),
                    ],
                ),
            ],
        ),
        ListSpec(
            "HIST205-SPR2027",
            "The French Revolution and Napoleon",
            ["HIST205-01"],
            "instructor",
            ListStatus.BEING_PROCESSED,
            PublicationStatus.PUBLISHED,
            Visibility.INSTITUTION,
            "Open to everyone at the university: the revolution from 1789 to Brumaire.",
            librarian="librarian2",
            sections=[
                (
                    "Narratives",
                    [
                        Item(B, book("Citizens: A chronicle of the French Revolution", "Schama, Simon", 1989, "Alfred A. Knopf", "New York", ISBN="9780394559483"), "Essential", status=DONE),
                        Item(B, book("The Oxford history of the French Revolution", "Doyle, William", 2002, "Oxford University Press", "Oxford", edition="2"), "Essential", status=DONE),
                        Item(B, book("When the king took flight", "Tackett, Timothy", 2003, "Harvard University Press", "Cambridge, MA"), "Recommended", status=IN_PROCESS),
                        Item(B, book("The Terror: Civil war in the French Revolution", "Andress, David", 2005, "Little, Brown", "London"), "Optional", status=READY),
                    ],
                ),
                (
                    "Interpretations",
                    [
                        Item(B, book("The coming of the French Revolution", "Lefebvre, Georges", 1947, "Princeton University Press", "Princeton, NJ", translators="Palmer, R. R."), "Recommended", status=DONE),
                        Item(B, book("Politics, culture, and class in the French Revolution", "Hunt, Lynn", 1984, "University of California Press", "Berkeley"), "Essential", status=IN_PROCESS, instructor_note="Two more copies for short loan, please."),
                        Item(CH, chapter("The French Revolution is over", "Furet, François", 1981, "Interpreting the French Revolution", "Furet, François", "1-79", "Cambridge University Press", "Cambridge"), "Recommended", status=DECLINED, reason="The chapter is more than 10% of the book, beyond what the CLA licence lets us scan. The library holds three print copies."),
                        Item(A, article("Gender: A useful category of historical analysis", "Scott, Joan W.", 1986, "The American Historical Review", 91, 5, "1053-1075", DOI="10.2307/1864376"), "Essential", status=DONE, due_week=3),
                        Item(W, web("Gallica", "Bibliothèque nationale de France", 2024, "Bibliothèque nationale de France", "https://gallica.bnf.fr/"), status=DONE, note="Digitised pamphlets and newspapers of the revolution."),
                    ],
                ),
            ],
        ),
        ListSpec(
            "HIST310-SPR2027",
            "Historiography: Theory and Method",
            ["HIST310-01"],
            "instructor",
            ListStatus.BEING_PREPARED,
            description="Draft: still choosing the readings for weeks 5-10.",
            sections=[
                (
                    "What historians do",
                    [
                        Item(B, book("The historian's craft", "Bloch, Marc", 1954, "Manchester University Press", "Manchester", translators="Putnam, Peter"), "Essential"),
                        Item(B, book("In defence of history", "Evans, Richard J.", 1997, "Granta Books", "London"), "Essential", instructor_note="Is there an e-book licence for 200 students?"),
                        Item(B, book("The pursuit of history", "Tosh, John", 2015, "Routledge", "Abingdon", edition="6"), "Recommended"),
                        Item(B, book("Re-thinking history", "Jenkins, Keith", 1991, "Routledge", "London"), "Optional"),
                    ],
                ),
                (
                    "Language and meaning",
                    [
                        Item(A, article("Meaning and understanding in the history of ideas", "Skinner, Quentin", 1969, "History and Theory", 8, 1, "3-53", DOI="10.2307/2504188"), "Essential"),
                        Item(B, book("Metahistory: The historical imagination in nineteenth-century Europe", "White, Hayden", 1973, "Johns Hopkins University Press", "Baltimore"), "Recommended"),
                    ],
                ),
            ],
        ),
        ListSpec(
            "BIOL101-AUT2026",
            "Introduction to Biology",
            ["BIOL101-01"],
            "instructor2",
            ListStatus.COMPLETE,
            PublicationStatus.PUBLISHED,
            Visibility.COURSE,
            "Everything for the twelve weeks of BIOL101: the textbook chapters, papers and "
            "videos for each lecture, and further reading for the practicals.",
            editors=["instructor6", "ta"],
            sections=[(name, []) for name in BIOL101_SECTIONS],
        ),
        ListSpec(
            "BIOL210-SPR2027",
            "Genetics and Genomics",
            ["BIOL210-01"],
            "instructor2",
            ListStatus.COMPLETE,
            PublicationStatus.PUBLISHED,
            sections=[
                (
                    "The double helix",
                    [
                        Item(A, WATSON_CRICK, "Essential", due_week=1),
                        Item(T, _csl("thesis", "The physical chemistry of solid organic colloids with special reference to coal", "Franklin, Rosalind E.", 1945, genre="PhD thesis", publisher="University of Cambridge"), "Optional", "Franklin's doctoral work, before her X-ray studies of DNA."),
                        Item(B, book("The gene: An intimate history", "Mukherjee, Siddhartha", 2016, "The Bodley Head", "London"), "Recommended"),
                    ],
                ),
                (
                    "Genomes",
                    [
                        Item(A, article("Initial sequencing and analysis of the human genome", "Lander, Eric S.; Linton, Lauren M.; Birren, Bruce", 2001, "Nature", 409, 6822, "860-921", DOI="10.1038/35057062"), "Essential", due_week=4),
                        Item(B, book("An introduction to genetic analysis", "Griffiths, Anthony J. F.; Doebley, John; Peichel, Catherine; Wassarman, David A.", 2020, "W. H. Freeman", "New York", edition="12"), "Essential"),
                        Item(J, _csl("periodical", "Nature Genetics", ISSN="1061-4036", publisher="Nature Portfolio", URL="https://www.nature.com/ng/")),
                        Item(W, web("GenBank", "National Center for Biotechnology Information", 2024, "NCBI", "https://www.ncbi.nlm.nih.gov/genbank/"), note="We use GenBank in the week 6 practical."),
                    ],
                ),
                (
                    "Genome editing",
                    [
                        Item(A, article("A programmable dual-RNA-guided DNA endonuclease in adaptive bacterial immunity", "Jinek, Martin; Chylinski, Krzysztof; Fonfara, Ines; Hauer, Michael; Doudna, Jennifer A.; Charpentier, Emmanuelle", 2012, "Science", 337, 6096, "816-821", DOI="10.1126/science.1225829"), "Essential", due_week=8),
                    ],
                ),
            ],
        ),
        ListSpec(
            "BIOL220-AUT2026",
            "Ecology and Evolution",
            ["BIOL220-01"],
            "instructor6",
            ListStatus.BEING_PROCESSED,
            librarian="librarian2",
            sections=[
                (
                    "Evolution",
                    [
                        Item(B, DARWIN, "Essential", status=DONE),
                        Item(W, web("The complete work of Charles Darwin online", "van Wyhe, John", 2002, "Darwin Online", "http://darwin-online.org.uk/"), status=DONE),
                        Item(B, book("The selfish gene", "Dawkins, Richard", 2016, "Oxford University Press", "Oxford", edition="40th anniversary ed."), "Recommended", status=IN_PROCESS),
                        Item(V, _csl("motion_picture", "Life on Earth", "Attenborough, David", 1979, publisher="BBC", medium="Television series"), "Optional", status=READY),
                    ],
                ),
                (
                    "Ecology",
                    [
                        Item(B, book("Ecology: From individuals to ecosystems", "Begon, Michael; Townsend, Colin R.; Harper, John L.", 2006, "Blackwell", "Oxford", edition="4"), "Essential", status=IN_PROCESS),
                        Item(B, book("The theory of island biogeography", "MacArthur, Robert H.; Wilson, Edward O.", 1967, "Princeton University Press", "Princeton, NJ"), "Recommended", status=READY),
                        Item(A, article("The tragedy of the commons", "Hardin, Garrett", 1968, "Science", 162, 3859, "1243-1248", DOI="10.1126/science.162.3859.1243"), "Essential", status=DONE),
                        Item(R, _csl("report", "Climate change 2021: The physical science basis", "Intergovernmental Panel on Climate Change", 2021, publisher="Cambridge University Press", DOI="10.1017/9781009157896"), "Recommended", status=DONE, note="Read the Summary for Policymakers."),
                    ],
                ),
            ],
        ),
        ListSpec(
            "LAW101-AUT2026",
            "Foundations of English Law",
            ["LAW101-01"],
            "instructor3",
            ListStatus.COMPLETE,
            PublicationStatus.PUBLISHED,
            sections=[
                (
                    "What is law?",
                    [
                        Item(B, book("The concept of law", "Hart, H. L. A.", 2012, "Oxford University Press", "Oxford", edition="3", ISBN="9780199644704"), "Essential", due_week=1),
                        Item(A, article("Positivism and the separation of law and morals", "Hart, H. L. A.", 1958, "Harvard Law Review", 71, 4, "593-629", DOI="10.2307/1338225"), "Essential"),
                        Item(A, article("Positivism and fidelity to law: A reply to Professor Hart", "Fuller, Lon L.", 1958, "Harvard Law Review", 71, 4, "630-672", DOI="10.2307/1338226"), "Essential", "Read together with Hart's article."),
                        Item(B, book("The rule of law", "Bingham, Tom", 2011, "Penguin", "London", ISBN="9780141034539"), "Recommended"),
                    ],
                ),
                (
                    "Sources of law",
                    [
                        Item(L, DONOGHUE, "Essential", "The neighbour principle: read Lord Atkin's speech.", due_week=3),
                        Item(L, act("Human Rights Act 1998", 1998, "c. 42", "https://www.legislation.gov.uk/ukpga/1998/42"), "Essential"),
                        Item(L, case("R (Miller) v Secretary of State for Exiting the European Union", 2017, "UKSC", "Supreme Court of the United Kingdom", volume="2017", page="5"), "Recommended"),
                        Item(W, web("legislation.gov.uk", "The National Archives", 2024, "The National Archives", "https://www.legislation.gov.uk/")),
                        Item(B, book("Introduction to the study of the law of the constitution", "Dicey, A. V.", 1885, "Macmillan", "London"), "Optional"),
                    ],
                ),
            ],
        ),
        ListSpec(
            "LAW210-SPR2027",
            "Law of Tort",
            ["LAW210-01"],
            "instructor3",
            ListStatus.READY_FOR_PROCESSING,
            description="Sent to the library in November; publish once the items are in.",
            sections=[
                (
                    "Negligence: duty of care",
                    [
                        Item(L, DONOGHUE, "Essential"),
                        Item(L, case("Caparo Industries plc v Dickman", 1990, "Appeal Cases", "House of Lords", volume="2", page="605"), "Essential"),
                        Item(L, case("Robinson v Chief Constable of West Yorkshire Police", 2018, "UKSC", "Supreme Court of the United Kingdom", volume="2018", page="4"), "Essential"),
                        Item(B, book("Tort law: Text and materials", "Lunney, Mark; Nolan, Donal; Oliphant, Ken", 2017, "Oxford University Press", "Oxford", edition="6"), "Essential", instructor_note="One copy per ten students, please."),
                    ],
                ),
                (
                    "Damages",
                    [
                        Item(R, _csl("report", "Damages for personal injury: Non-pecuniary loss", "Law Commission", 1999, number="Law Com No 257", publisher="The Stationery Office"), "Recommended"),
                        Item(L, act("Compensation Act 2006", 2006, "c. 29", "https://www.legislation.gov.uk/ukpga/2006/29"), "Optional"),
                        Item(W, web("BAILII: British and Irish Legal Information Institute", "BAILII", 2024, "BAILII", "https://www.bailii.org/"), status=DONE),
                    ],
                ),
            ],
        ),
        ListSpec(
            "LAW220-AUT2026",
            "Contract Law",
            ["LAW220-01"],
            "instructor3",
            ListStatus.BEING_PROCESSED,
            PublicationStatus.PUBLISHED,
            sections=[
                (
                    "Formation",
                    [
                        Item(L, case("Carlill v Carbolic Smoke Ball Co", 1893, "Queen's Bench", "Court of Appeal", volume="1", page="256"), "Essential", status=DONE),
                        Item(B, book("Contract law: Text, cases, and materials", "McKendrick, Ewan", 2022, "Oxford University Press", "Oxford", edition="10"), "Essential", status=DONE),
                        Item(A, article("Non-contractual relations in business: A preliminary study", "Macaulay, Stewart", 1963, "American Sociological Review", 28, 1, "55-67", DOI="10.2307/2090458"), "Recommended", status=IN_PROCESS),
                    ],
                ),
                (
                    "Terms and remedies",
                    [
                        Item(L, case("Hadley v Baxendale", 1854, "Exchequer Reports", "Court of Exchequer", volume="9", page="341"), "Essential", status=DONE),
                        Item(L, act("Unfair Contract Terms Act 1977", 1977, "c. 50", "https://www.legislation.gov.uk/ukpga/1977/50"), "Essential", status=DONE),
                        Item(L, act("Consumer Rights Act 2015", 2015, "c. 15", "https://www.legislation.gov.uk/ukpga/2015/15"), "Essential", status=READY),
                    ],
                ),
            ],
        ),
        ListSpec(
            "COMP101-AUT2026",
            "Introduction to Programming",
            ["COMP101-01"],
            "instructor4",
            ListStatus.COMPLETE,
            PublicationStatus.PUBLISHED,
            Visibility.INSTITUTION,
            "Open to everyone at the university who wants to learn to program.",
            editors=["ta"],
            sections=[
                (
                    "Getting started",
                    [
                        Item(W, web("The Python tutorial", "Python Software Foundation", 2024, "Python documentation", "https://docs.python.org/3/tutorial/"), "Essential", "Work through sections 1-5 in the first fortnight.", due_week=2),
                        Item(V, _csl("motion_picture", "CS50x: Introduction to computer science, lecture 0", "Malan, David J.", 2024, publisher="Harvard University", URL="https://cs50.harvard.edu/x/"), "Recommended"),
                        Item(EB, book("Structure and interpretation of computer programs", "Abelson, Harold; Sussman, Gerald Jay", 1996, "MIT Press", "Cambridge, MA", edition="2", ISBN="9780262510875", URL="https://mitpress.mit.edu/sites/default/files/sicp/index.html"), "Essential"),
                    ],
                ),
                (
                    "Classics",
                    [
                        Item(B, book("The C programming language", "Kernighan, Brian W.; Ritchie, Dennis M.", 1988, "Prentice Hall", "Englewood Cliffs, NJ", edition="2", ISBN="9780131103627"), "Recommended"),
                        Item(A, article("Go to statement considered harmful", "Dijkstra, Edsger W.", 1968, "Communications of the ACM", 11, 3, "147-148", DOI="10.1145/362929.362947"), "Essential"),
                        Item(B, book("The pragmatic programmer: Your journey to mastery", "Thomas, David; Hunt, Andrew", 2019, "Addison-Wesley", "Boston", edition="20th anniversary ed.", ISBN="9780135957059"), "Recommended"),
                        Item(B, book("The art of computer programming, volume 1: Fundamental algorithms", "Knuth, Donald E.", 1997, "Addison-Wesley", "Reading, MA", edition="3", ISBN="9780201896831"), "Optional"),
                        Item(T, _csl("thesis", "A symbolic analysis of relay and switching circuits", "Shannon, Claude E.", 1940, genre="Master's thesis", publisher="Massachusetts Institute of Technology"), "Optional", "Where Boolean logic met circuits."),
                    ],
                ),
            ],
        ),
        ListSpec(
            "COMP230-SPR2027",
            "Database Systems",
            ["COMP230-01"],
            "instructor4",
            ListStatus.READY_FOR_PROCESSING,
            PublicationStatus.PUBLISHED,
            sections=[
                (
                    "The relational model",
                    [
                        Item(A, article("A relational model of data for large shared data banks", "Codd, E. F.", 1970, "Communications of the ACM", 13, 6, "377-387", DOI="10.1145/362384.362685"), "Essential", status=DONE),
                        Item(B, book("Database system concepts", "Silberschatz, Abraham; Korth, Henry F.; Sudarshan, S.", 2019, "McGraw-Hill", "New York", edition="7", ISBN="9780078022159"), "Essential"),
                        Item(W, web("PostgreSQL documentation", "The PostgreSQL Global Development Group", 2024, "PostgreSQL", "https://www.postgresql.org/docs/current/"), status=DONE),
                    ],
                ),
                (
                    "Transactions and scale",
                    [
                        Item(B, book("Transaction processing: Concepts and techniques", "Gray, Jim; Reuter, Andreas", 1992, "Morgan Kaufmann", "San Mateo, CA"), "Recommended"),
                        Item(A, article("Architecture of a database system", "Hellerstein, Joseph M.; Stonebraker, Michael; Hamilton, James", 2007, "Foundations and Trends in Databases", 1, 2, "141-259", DOI="10.1561/1900000002"), "Essential"),
                        Item(CP, _csl("paper-conference", "MapReduce: Simplified data processing on large clusters", "Dean, Jeffrey; Ghemawat, Sanjay", 2004, container_title="Proceedings of the 6th Symposium on Operating Systems Design and Implementation (OSDI '04)", page="137-150", publisher="USENIX Association"), "Recommended"),
                        Item(B, book("Designing data-intensive applications", "Kleppmann, Martin", 2017, "O'Reilly Media", "Sebastopol, CA", ISBN="9781449373320"), "Essential"),
                    ],
                ),
            ],
        ),
        ListSpec(
            "COMP350-SPR2027",
            "Machine Learning",
            ["COMP350-01"],
            "instructor4",
            ListStatus.BEING_PREPARED,
            sections=[
                (
                    "Foundations",
                    [
                        Item(B, book("Pattern recognition and machine learning", "Bishop, Christopher M.", 2006, "Springer", "New York", ISBN="9780387310732"), "Essential"),
                        Item(EB, book("The elements of statistical learning", "Hastie, Trevor; Tibshirani, Robert; Friedman, Jerome", 2009, "Springer", "New York", edition="2", URL="https://hastie.su.domains/ElemStatLearn/"), "Recommended"),
                        Item(A, article("Computing machinery and intelligence", "Turing, A. M.", 1950, "Mind", 59, 236, "433-460", DOI="10.1093/mind/LIX.236.433"), "Optional"),
                    ],
                ),
                (
                    "Deep learning",
                    [
                        Item(EB, book("Deep learning", "Goodfellow, Ian; Bengio, Yoshua; Courville, Aaron", 2016, "MIT Press", "Cambridge, MA", ISBN="9780262035613", URL="https://www.deeplearningbook.org/"), "Essential"),
                        Item(A, article("Deep learning", "LeCun, Yann; Bengio, Yoshua; Hinton, Geoffrey", 2015, "Nature", 521, 7553, "436-444", DOI="10.1038/nature14539"), "Essential"),
                        Item(CP, _csl("paper-conference", "ImageNet classification with deep convolutional neural networks", "Krizhevsky, Alex; Sutskever, Ilya; Hinton, Geoffrey E.", 2012, container_title="Advances in Neural Information Processing Systems 25", page="1097-1105"), "Recommended"),
                        Item(CP, _csl("paper-conference", "Attention is all you need", "Vaswani, Ashish; Shazeer, Noam; Parmar, Niki; Uszkoreit, Jakob; Jones, Llion; Gomez, Aidan N.; Kaiser, Łukasz; Polosukhin, Illia", 2017, container_title="Advances in Neural Information Processing Systems 30", page="5998-6008"), "Essential", instructor_note="Open access: no purchase needed."),
                    ],
                ),
            ],
        ),
        ListSpec(
            "ECON101-AUT2026",
            "Principles of Economics",
            ["ECON101-01"],
            "instructor5",
            ListStatus.COMPLETE,
            PublicationStatus.PUBLISHED,
            Visibility.PUBLIC,
            "Open to anyone: the reading for our first-year economics course.",
            sections=[
                (
                    "Textbooks",
                    [
                        Item(EB, book("The economy: Economics for a changing world", "CORE Team", 2017, "Oxford University Press", "Oxford", URL="https://www.core-econ.org/the-economy/"), "Essential", "Free online; the print edition is on short loan."),
                        Item(B, book("Principles of economics", "Mankiw, N. Gregory", 2020, "Cengage", "Boston", edition="9"), "Recommended"),
                        Item(N, {"type": "document", "title": "Problem sets", "note": "Problem sets are posted in the course space every Friday; hand in by the following Thursday."}),
                    ],
                ),
                (
                    "Markets and information",
                    [
                        Item(B, book("An inquiry into the nature and causes of the wealth of nations", "Smith, Adam", 1776, "W. Strahan and T. Cadell", "London"), "Optional", "Book I, chapters 1-3 only."),
                        Item(A, article("The market for \"lemons\": Quality uncertainty and the market mechanism", "Akerlof, George A.", 1970, "The Quarterly Journal of Economics", 84, 3, "488-500", DOI="10.2307/1879431"), "Essential", due_week=5),
                        Item(A, article("The nature of the firm", "Coase, R. H.", 1937, "Economica", 4, 16, "386-405", DOI="10.1111/j.1468-0335.1937.tb00002.x"), "Essential", due_week=6),
                        Item(T, _csl("thesis", "Non-cooperative games", "Nash, John F.", 1950, genre="PhD thesis", publisher="Princeton University"), "Optional"),
                    ],
                ),
                (
                    "Money, crises and the world economy",
                    [
                        Item(AU, _csl("song", "The invention of money", "Glass, Ira", 2011, container_title="This American Life", number="423", publisher="Chicago Public Media", medium="Podcast", URL="https://www.thisamericanlife.org/423/the-invention-of-money"), "Recommended"),
                        Item(V, _csl("motion_picture", "Inside job", "Ferguson, Charles", 2010, publisher="Sony Pictures Classics", medium="Documentary film"), "Recommended", "Screening in week 9."),
                        Item(R, _csl("report", "World economic outlook, October 2024: Policy pivot, rising threats", "International Monetary Fund", 2024, publisher="International Monetary Fund", publisher_place="Washington, DC", URL="https://www.imf.org/en/Publications/WEO"), "Optional"),
                        Item(OT, _csl("dataset", "Maddison Project Database, version 2020", "Bolt, Jutta; van Zanden, Jan Luiten", 2020, publisher="Groningen Growth and Development Centre", URL="https://www.rug.nl/ggdc/historicaldevelopment/maddison/releases/maddison-project-database-2020"), "Optional", "Data for the growth assignment."),
                        Item(J, _csl("periodical", "The Economist", ISSN="0013-0613", publisher="The Economist Group", publisher_place="London"), note="Read the Finance & economics section each week."),
                    ],
                ),
            ],
        ),
        ListSpec(
            "ECON220-SPR2026",
            "Macroeconomics (2025/26)",
            ["ECON220-01-SPR26"],
            "instructor5",
            ListStatus.COMPLETE,
            PublicationStatus.PUBLISHED,
            sections=[
                (
                    "Readings",
                    [
                        Item(B, book("The general theory of employment, interest and money", "Keynes, John Maynard", 1936, "Macmillan", "London"), "Essential"),
                        Item(B, book("Macroeconomics", "Blanchard, Olivier", 2021, "Pearson", "Harlow", edition="8"), "Essential"),
                        Item(A, article("The role of monetary policy", "Friedman, Milton", 1968, "The American Economic Review", 58, 1, "1-17"), "Essential"),
                        Item(A, article("Discretion versus policy rules in practice", "Taylor, John B.", 1993, "Carnegie-Rochester Conference Series on Public Policy", 39, None, "195-214", DOI="10.1016/0167-2231(93)90009-L"), "Recommended"),
                        Item(B, book("Capital in the twenty-first century", "Piketty, Thomas", 2014, "Harvard University Press", "Cambridge, MA", ISBN="9780674430006", translators="Goldhammer, Arthur"), "Recommended"),
                        Item(W, web("Monetary Policy Report", "Bank of England", 2025, "Bank of England", "https://www.bankofengland.co.uk/monetary-policy-report"), "Optional"),
                    ],
                ),
            ],
        ),
        ListSpec(
            "BIOL101-AUT2025",
            "Introduction to Biology (2025/26)",
            ["BIOL101-01-AUT25"],
            "instructor2",
            ListStatus.COMPLETE,
            PublicationStatus.PUBLISHED,
            sections=[
                (
                    "Core texts",
                    [
                        Item(B, book("Campbell biology", "Urry, Lisa A.; Cain, Michael L.; Wasserman, Steven A.; Minorsky, Peter V.; Orr, Rebecca B.", 2020, "Pearson", "New York", edition="12", ISBN="9780135188743"), "Essential"),
                        Item(A, WATSON_CRICK, "Essential"),
                        Item(B, DARWIN, "Recommended"),
                    ],
                ),
            ],
        ),
        ListSpec(
            "LIB-SKILLS",
            "Finding and evaluating sources",
            [],
            "librarian",
            ListStatus.COMPLETE,
            PublicationStatus.PUBLISHED,
            Visibility.INSTITUTION,
            "The library's guide to research skills, for every course.",
            sections=[
                (
                    "Searching",
                    [
                        Item(W, web("Google Scholar search tips", "Google", 2024, "Google Scholar", "https://scholar.google.com/intl/en/scholar/help.html"), "Recommended"),
                        Item(N, {"type": "document", "title": "Book a one-to-one with your subject librarian", "note": "Thirty minutes, in person or online: ask at the help desk."}),
                    ],
                ),
                (
                    "Writing and citing",
                    [
                        Item(B, book("The craft of research", "Booth, Wayne C.; Colomb, Gregory G.; Williams, Joseph M.; Bizup, Joseph; FitzGerald, William T.", 2016, "University of Chicago Press", "Chicago", edition="4", ISBN="9780226239736"), "Essential"),
                        Item(W, web("Cite them right online", "Pears, Richard; Shields, Graham", 2024, "Bloomsbury", "https://www.citethemrightonline.com/"), "Essential"),
                    ],
                ),
            ],
        ),
    ]  # fmt: skip


BIOL101_SECTIONS = [
    "Week 1: The chemistry of life",
    "Week 2: Cells and membranes",
    "Week 3: Energy and metabolism",
    "Week 4: Photosynthesis",
    "Week 5: Cell division",
    "Week 6: Mendelian genetics",
    "Week 7: DNA, genes and gene expression",
    "Week 8: Evolution by natural selection",
    "Week 9: Biodiversity and classification",
    "Week 10: Ecology and ecosystems",
    "Week 11: Animal and plant physiology",
    "Week 12: Revision and further reading",
]
BIOL101_TOPICS = [
    ("water and macromolecules", "protein structure", "carbohydrates and lipids"),
    ("membrane transport", "the cytoskeleton", "organelles"),
    ("enzyme kinetics", "cellular respiration", "ATP synthesis"),
    ("photosynthesis", "carbon fixation", "light harvesting"),
    ("mitosis", "meiosis", "the cell cycle"),
    ("Mendelian inheritance", "linkage and recombination", "pedigree analysis"),
    ("DNA replication", "transcription", "gene regulation"),
    ("natural selection", "speciation", "population genetics"),
    ("phylogenetics", "microbial diversity", "plant diversity"),
    ("population ecology", "community ecology", "nutrient cycles"),
    ("homeostasis", "the immune system", "plant hormones"),
    ("experimental design", "scientific writing", "data analysis in biology"),
]
BIOL101_CURATED: dict[int, list[Item]] = {
    0: [
        Item(B, book("Campbell biology", "Urry, Lisa A.; Cain, Michael L.; Wasserman, Steven A.; Minorsky, Peter V.; Orr, Rebecca B.", 2020, "Pearson", "New York", edition="12", ISBN="9780135188743"), "Essential", "The course textbook: buy or borrow a copy.", due_week=1),
        Item(W, web("Biology library", "Khan Academy", 2024, "Khan Academy", "https://www.khanacademy.org/science/biology"), "Optional", "Short videos if you need a refresher."),
        Item(N, {"type": "document", "title": "Laboratory safety briefing", "note": "Attend the safety briefing before your first practical; bring a lab coat."}),
    ],
    1: [
        Item(B, book("Molecular biology of the cell", "Alberts, Bruce; Johnson, Alexander; Lewis, Julian; Morgan, David; Raff, Martin; Roberts, Keith; Walter, Peter", 2014, "Garland Science", "New York", edition="6", ISBN="9780815344322"), "Recommended"),
        Item(V, _csl("motion_picture", "The inner life of the cell", "Bolinsky, David", 2006, publisher="Harvard University; XVIVO Scientific Animation", medium="Animation"), "Recommended"),
        Item(J, _csl("periodical", "Cell", ISSN="0092-8674", publisher="Cell Press", URL="https://www.cell.com/cell/home")),
    ],
    6: [Item(A, WATSON_CRICK, "Essential", "One page that changed biology.", due_week=7)],
    7: [Item(B, DARWIN, "Recommended"), Item(W, web("The complete work of Charles Darwin online", "van Wyhe, John", 2002, "Darwin Online", "http://darwin-online.org.uk/"))],
    9: [Item(R, _csl("report", "Global assessment report on biodiversity and ecosystem services", "IPBES", 2019, publisher="IPBES secretariat", publisher_place="Bonn", URL="https://www.ipbes.net/global-assessment"), "Recommended")],
}  # fmt: skip
BIOL101_GENERATED_PER_SECTION = 27
BIOL101_MATERIALS = Chooser(
    [
        (MaterialType.BOOK, 22),
        (MaterialType.BOOK_CHAPTER, 14),
        (MaterialType.ARTICLE, 40),
        (MaterialType.EBOOK, 8),
        (MaterialType.WEBSITE, 7),
        (MaterialType.VIDEO, 5),
        (MaterialType.REPORT, 2),
        (MaterialType.CONFERENCE_PAPER, 2),
    ]
)


# --- building -------------------------------------------------------------------------


class _Builder:
    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.rng = random.Random(SEED)
        self.password = make_password(DEMO_PASSWORD)
        self.users: dict[str, User] = {}
        self.courses: dict[str, Course] = {}
        self.terms: dict[str, Term] = {}
        self.course_terms: dict[str, str] = {}
        self.suggestions: dict[str, Any] = {}
        # Shipped by a migration; made again if something removed them.
        self.tags = {
            name: Tag.objects.get_or_create(
                kind=TagKind.PUBLIC, name=name, defaults={"position": position}
            )[0].pk
            for position, name in enumerate(("Essential", "Recommended", "Optional"))
        }

    def institution(self) -> None:
        settings_row = InstitutionSettings.current()
        settings_row.name = "Lectio University"
        settings_row.save(update_fields=["name"])
        self.departments = {
            code: Department.objects.get_or_create(code=code, defaults={"name": name})[
                0
            ]
            for code, name in DEPARTMENTS + LIBRARIES
        }
        for code, name, start, end in TERMS:
            self.terms[code] = Term.objects.get_or_create(
                code=code, defaults={"name": name, "start_date": start, "end_date": end}
            )[0]
        self.campuses = {
            code: Campus.objects.get_or_create(code=code, defaults={"name": name})[0]
            for code, name in CAMPUSES
        }

    def people(self) -> None:
        # One hash for everyone: hashing is deliberately slow and the password is public.
        rows = [
            User(
                username=username,
                first_name=first,
                last_name=last,
                email=f"{username}@lectio-university.example",
                role=role,
                is_staff=role == Role.ADMIN,
                is_superuser=role == Role.ADMIN,
                password=self.password,
                primary_id=f"LU{1000 + i}",
            )
            for i, (username, first, last, role, _dept) in enumerate(STAFF)
        ]
        for i, (first, last) in enumerate(STUDENT_NAMES):
            username = "student" if i == 0 else f"student{i + 1}"
            rows.append(
                User(
                    username=username,
                    first_name=first,
                    last_name=last,
                    email=f"{username}@lectio-university.example",
                    role=Role.STUDENT,
                    password=self.password,
                    primary_id=f"LU{2000 + i}",
                )
            )
        User.objects.bulk_create(rows)
        self.users = {
            u.username: u
            for u in User.objects.filter(username__in=[r.username for r in rows])
        }

    def course_catalogue(self) -> None:
        for spec in COURSES:
            self._course(spec)

    def _course(self, spec: CourseSpec) -> None:
        term = self.terms[spec.term]
        start, end = _dates(term)
        course = Course.objects.create(
            code=spec.code,
            section=spec.section,
            name=spec.name,
            academic_department=self.departments[spec.dept],
            processing_department=self.departments[spec.library],
            year=start.year if start.month >= 8 else start.year - 1,
            start_date=start,
            end_date=end,
            participants=spec.participants,
            weekly_hours=3,
            searchable_ids=[f"{spec.code}-{spec.section}-{spec.term}"],
            submit_lists_by=start - timedelta(weeks=6),
        )
        course.terms.add(term)
        CourseCampus.objects.create(
            course=course,
            campus=self.campuses[spec.campus],
            participants=spec.participants,
        )
        self.courses[course.label] = course
        self.course_terms[course.label] = spec.term
        Enrolment.objects.bulk_create(
            [
                Enrolment(user=self.users[u], course=course, role=CourseRole.INSTRUCTOR)
                for u in spec.instructors
            ]
            + [
                Enrolment(
                    user=self.users[u],
                    course=course,
                    role=CourseRole.TEACHING_ASSISTANT,
                )
                for u in spec.tas
            ]
        )

    def enrolments(self) -> None:
        current = [
            label
            for label, term in self.course_terms.items()
            if term in ("AUT2026", "SPR2027")
        ]
        rows = [
            Enrolment(
                user=self.users["student"],
                course=self.courses[label],
                role=CourseRole.STUDENT,
            )
            for label in STUDENT_COURSES
        ]
        for i in range(1, len(STUDENT_NAMES)):
            user = self.users[f"student{i + 1}"]
            for label in self.rng.sample(current, self.rng.randint(3, 5)):
                rows.append(
                    Enrolment(
                        user=user, course=self.courses[label], role=CourseRole.STUDENT
                    )
                )
        # Last year's cohort for last year's courses.
        for label in ("ECON220-01-SPR26", "BIOL101-01-AUT25"):
            for i in range(10, 22):
                rows.append(
                    Enrolment(
                        user=self.users[f"student{i}"],
                        course=self.courses[label],
                        role=CourseRole.STUDENT,
                    )
                )
        Enrolment.objects.bulk_create(rows, ignore_conflicts=True)

    # -- lists --------------------------------------------------------------------------

    def build_list(self, spec: ListSpec) -> ReadingList:
        owner = self.users[spec.owner]
        librarian = self.users[spec.librarian]
        reading_list = services.reading_list_create(
            actor=owner,
            name=spec.name,
            description=spec.description,
            course_ids=[self.courses[c].pk for c in spec.courses],
            code=spec.code,
        )
        for editor in spec.editors:
            services.collaborator_set(
                actor=owner,
                reading_list=reading_list,
                user=self.users[editor],
                right=CollaboratorRight.EDITOR,
            )
        term_start = self._term_start(spec)
        sections = self._sections(
            reading_list, owner, [name for name, _items in spec.sections]
        )
        planned: list[tuple[Citation, Item]] = []
        for section, (_name, items) in zip(sections, spec.sections, strict=True):
            for item in items:
                planned.append(
                    (self._add(reading_list, section, owner, item, term_start), item)
                )
        if spec.code == "BIOL101-AUT2026":
            planned += self._fill_big_list(reading_list, sections, owner, term_start)
        if spec.status == ListStatus.BEING_PREPARED:
            pass
        else:
            reading_list = services.reading_list_send_to_library(
                actor=owner, reading_list=reading_list
            )
            reading_list = processing.reading_list_take(
                actor=librarian, reading_list=reading_list
            )
            if spec.status != ListStatus.READY_FOR_PROCESSING:
                reading_list = processing.reading_list_start_processing(
                    actor=librarian, reading_list=reading_list
                )
            for citation, item in planned:
                self._process(citation, item, spec.status, librarian)
            if spec.status == ListStatus.COMPLETE:
                reading_list = processing.reading_list_complete(
                    actor=librarian, reading_list=reading_list
                )
        if spec.publication != PublicationStatus.DRAFT:
            reading_list = services.reading_list_publish(
                actor=owner, reading_list=reading_list, visibility=spec.visibility
            )
        return reading_list

    def _term_start(self, spec: ListSpec) -> date:
        if spec.courses:
            start = self.courses[spec.courses[0]].start_date
            if start:
                return start
        return _dates(self.terms["AUT2026"])[0]

    def _sections(
        self, reading_list: ReadingList, owner: User, names: list[str]
    ) -> list[Section]:
        """The default section takes the first name; the rest are added after it."""
        default = reading_list.sections.get(is_default=True)
        services.section_update(
            actor=owner,
            section=default,
            expected_version=default.version,
            name=names[0],
        )
        sections = [default]
        for name in names[1:]:
            sections.append(
                services.section_add(actor=owner, reading_list=reading_list, name=name)
            )
        return sections

    def _add(
        self,
        reading_list: ReadingList,
        section: Section,
        owner: User,
        item: Item,
        term_start: date,
        status: str | None = None,
    ) -> Citation:
        return services.citation_add(
            actor=owner,
            reading_list=reading_list,
            section=section,
            material_type=item.material_type,
            metadata=item.csl,
            public_note=item.note,
            instructor_note=item.instructor_note,
            tag_ids=[self.tags[item.tag]] if item.tag in self.tags else [],
            due_date=term_start + timedelta(weeks=item.due_week - 1, days=3)
            if item.due_week
            else None,
            status=status,
        )

    def _process(
        self, citation: Citation, item: Item, list_status: str, librarian: User
    ) -> None:
        """Moves a citation through the library workflow to where the item says (or,
        if it says nothing, to where its list's status implies)."""
        target = item.status
        if target is None:
            progress: dict[str, str] = {
                ListStatus.COMPLETE: DONE,
                ListStatus.BEING_PROCESSED: IN_PROCESS,
            }
            target = progress.get(list_status, READY)
        # Sending the list moved its items on: the copy in memory is stale.
        citation.status = Citation.objects.values_list("status", flat=True).get(
            pk=citation.pk
        )
        if target == READY or citation.status == target:
            return
        # The library's own status change also starts processing the list; on a list
        # still waiting for the library, a complete item is one the rules completed.
        set_status = (
            services.citation_set_status
            if list_status == ListStatus.READY_FOR_PROCESSING
            else processing.citation_set_status_by_library
        )
        if citation.status == READY:
            set_status(actor=librarian, citation=citation, status=IN_PROCESS)
        if target != IN_PROCESS:
            set_status(
                actor=librarian, citation=citation, status=target, reason=item.reason
            )

    def _fill_big_list(
        self,
        reading_list: ReadingList,
        sections: list[Section],
        owner: User,
        term_start: date,
    ) -> list[tuple[Citation, Item]]:
        """The long list: a few real classics and many generated, plausible records."""
        planned = []
        serial = 0
        for index, section in enumerate(sections):
            for item in BIOL101_CURATED.get(index, []):
                planned.append(
                    (self._add(reading_list, section, owner, item, term_start), item)
                )
            for _ in range(BIOL101_GENERATED_PER_SECTION):
                serial += 1
                topic = self.rng.choice(BIOL101_TOPICS[index])
                work = make_work(self.rng, BIOL101_MATERIALS(self.rng), topic, serial)
                roll = self.rng.random()
                item = Item(
                    work.material_type,
                    json.loads(work.metadata_json),
                    tag="Essential"
                    if roll < 0.1
                    else "Recommended"
                    if roll < 0.3
                    else "Optional"
                    if roll < 0.4
                    else "",
                    note="Read before the lecture." if roll > 0.93 else "",
                    due_week=index + 1 if roll < 0.1 else None,
                    status=DECLINED if roll > 0.985 else DONE,
                    reason="Not available for purchase in the UK; the library has suggested an alternative."
                    if roll > 0.985
                    else "",
                )
                # Complete items are added as the library left them: the long list skips
                # the per-item workflow, except for the few the library declined.
                status = DONE if item.status == DONE else None
                planned.append(
                    (
                        self._add(
                            reading_list,
                            section,
                            owner,
                            item,
                            term_start,
                            status=status,
                        ),
                        item,
                    )
                )
        return planned

    def lists(self) -> dict[str, ReadingList]:
        built = {spec.code: self.build_list(spec) for spec in _lists()}
        # Last year's macroeconomics list is archived; this year's was rolled over from it.
        old = built["ECON220-SPR2026"]
        owner = self.users["instructor5"]
        services.reading_list_set_publication(
            actor=owner, reading_list=old, publication_status=PublicationStatus.ARCHIVED
        )
        rolled = services.reading_list_duplicate(
            actor=owner, reading_list=old, name="Macroeconomics"
        )
        rolled = services.reading_list_update(
            actor=owner,
            reading_list=rolled,
            expected_version=rolled.version,
            name="Macroeconomics",
            description="Rolled over from 2025/26: check the readings before sending to the library.",
            course_ids=[self.courses["ECON220-01"].pk],
        )
        # Rollover proper is a later feature: mark the copy the way it will.
        ReadingList.objects.filter(pk=rolled.pk).update(
            code="ECON220-SPR2027", status=ListStatus.ROLLED_OVER, rolled_from=old
        )
        built["ECON220-SPR2027"] = rolled
        # Last year's biology list is finished with: archived and inactive.
        older = built["BIOL101-AUT2025"]
        librarian = self.users["librarian"]
        services.reading_list_set_publication(
            actor=librarian,
            reading_list=older,
            publication_status=PublicationStatus.ARCHIVED,
        )
        services.reading_list_set_status(
            actor=librarian, reading_list=older, status=ListStatus.INACTIVE
        )
        return built

    def related_lists(self) -> None:
        """More history lists, sharing titles with the others: what the suggestions
        of related material count (made last, so the rest of the demo stays as it
        was), linked to the catalog by Locate."""
        for course in RELATED_COURSES:
            self._course(course)
        for spec in _related_lists():
            reading_list = self.build_list(spec)
            locate_citations(reading_list=reading_list)

    def marks(self, built: dict[str, ReadingList]) -> None:
        """Students have started reading: done and liked marks on published lists."""
        readers = [self.users["student"]] + [
            self.users[f"student{i}"] for i in range(2, 12)
        ]
        for code in (
            "BIOL101-AUT2026",
            "HIST101-AUT2026",
            "LAW101-AUT2026",
            "ECON101-AUT2026",
        ):
            complete = list(
                Citation.objects.filter(reading_list=built[code], status=DONE).order_by(
                    "section__position", "position"
                )[:40]
            )
            for reader in readers:
                if (
                    not Enrolment.objects.filter(
                        user=reader, course__reading_lists=built[code]
                    ).exists()
                    and reader.username != "student"
                ):
                    continue
                for citation in complete[: self.rng.randint(2, 8)]:
                    services.citation_mark(
                        user=reader,
                        citation=citation,
                        done=True,
                        liked=self.rng.random() < 0.3,
                    )

    def catalog(self) -> None:
        """The library's catalog (records for the publications the lists cite, copies,
        portfolios, pickup locations), then Locate links the lists' citations to it."""
        load_demo_catalog()
        self.located = locate_citations()

    def usage(self, built: dict[str, ReadingList]) -> None:
        """Four weeks of students using the published lists (views, opens by each
        kind of link, sections opened from the course site), the days before today
        rolled up into daily counts as the nightly job does: the lists' Usage
        pages and the library's reports have something to show, and the smaller
        courses show how figures about too few students are hidden."""
        from django.utils import timezone

        from lectio.analytics.models import UsageEvent
        from lectio.analytics.recording import roll_up_and_purge, user_key

        now = timezone.now()
        rows: list[UsageEvent] = []
        for reading_list in built.values():
            if reading_list.publication_status != PublicationStatus.PUBLISHED:
                continue
            course = reading_list.courses.first()
            readers = list(
                Enrolment.objects.filter(
                    course__reading_lists=reading_list, role=CourseRole.STUDENT
                )
                .values_list("user_id", flat=True)
                .distinct()
                .order_by("user_id")
            )
            items = list(
                Citation.objects.filter(reading_list=reading_list, status=DONE)
                .order_by("section__position", "position")
                .values_list("pk", "section_id", "catalog_record_id")[:60]
            )
            if not readers or not items:
                continue
            for days_ago in range(27, -1, -1):
                day = now - timedelta(days=days_ago)
                # Busy at the start of the week, quieter after.
                busy = 0.75 if day.weekday() < 2 else 0.3
                for user_id in readers:
                    if self.rng.random() > busy:
                        continue
                    seconds = self.rng.randint(60, 10 * 3600)
                    at = min(day - timedelta(seconds=seconds), now)
                    channel = "lms" if self.rng.random() < 0.5 else "direct"
                    event = {
                        "user_key": user_key(user_id),
                        "role": "student",
                        "channel": channel,
                        "list_id": reading_list.pk,
                        "course_id": course.pk if course else None,
                    }
                    rows.append(UsageEvent(at=at, kind="list_view", **event))
                    for pk, section_id, record_id in self.rng.sample(
                        items, min(len(items), self.rng.randint(1, 3))
                    ):
                        links = ["details", "find_it"] + (
                            ["full_text"] if record_id else []
                        )
                        if channel == "lms" and self.rng.random() < 0.2:
                            rows.append(
                                UsageEvent(
                                    at=at,
                                    kind="section_view",
                                    section_id=section_id,
                                    **event,
                                )
                            )
                        rows.append(
                            UsageEvent(
                                at=at + timedelta(seconds=30),
                                kind="citation_open",
                                section_id=section_id,
                                citation_id=pk,
                                detail=self.rng.choice(links),
                                **event,
                            )
                        )
        UsageEvent.objects.bulk_create(rows, batch_size=1000)
        roll_up_and_purge()
        self.usage_events = len(rows)

    def summary(self) -> None:
        out = self.out
        counts = {
            "departments": Department.objects.count(),
            "terms": Term.objects.count(),
            "courses": Course.objects.count(),
            "users": User.objects.count(),
            "enrolments": Enrolment.objects.count(),
            "lists": ReadingList.objects.count(),
            "sections": Section.objects.count(),
            "citations": Citation.objects.count(),
            "catalog records": Record.objects.count(),
            "copies": CatalogItem.objects.count(),
        }
        out.write(
            "Loaded the demo institution Lectio University. In the database now:\n"
        )
        out.write("  " + ", ".join(f"{n} {what}" for what, n in counts.items()) + "\n")
        statuses = dict(
            ReadingList.objects.values_list("status").annotate(n=Count("id")).order_by()
        )
        out.write(
            "  lists by status: "
            + ", ".join(f"{k} {v}" for k, v in sorted(statuses.items()))
            + "\n"
        )
        events = getattr(self, "usage_events", None)
        if events:
            out.write(
                f"  usage: {events} events of four weeks of students reading "
                "(each list's Usage page)\n"
            )
        located = getattr(self, "located", None)
        if located is not None:
            out.write(
                f"  Locate: {located.linked} citations linked to catalog records, "
                f"{located.suggested} with suggestions for the library\n"
            )
        suggestions = getattr(self, "suggestions", None)
        if suggestions:
            out.write(
                f"  suggestions: {suggestions['cocitations']} co-citations among "
                f"{suggestions['works']} works, {suggestions['similar']} similar "
                "catalog records (on each list's page)\n"
            )
        out.write("Demo logins (password for all: lectio):\n")
        for username, role in (
            ("admin", "administrator"),
            ("librarian", "librarian (also librarian2)"),
            ("instructor", "instructor, History (also instructor2 ... instructor6)"),
            ("student", "student (also student2 ... student36)"),
        ):
            out.write(f"  {username:<12} {role}\n")
        public = ReadingList.objects.filter(
            code__in=[spec.code for spec in _lists()],
            visibility=Visibility.PUBLIC,
            publication_status=PublicationStatus.PUBLISHED,
        ).order_by("code")
        for reading_list in public:
            out.write(
                f"  open to anyone: list {reading_list.pk} ({reading_list.code})\n"
            )


def demo_loaded() -> bool:
    return User.objects.filter(username="admin").exists()


def _dates(term: Term) -> tuple[date, date]:
    """The demo's terms always have both dates."""
    assert term.start_date is not None and term.end_date is not None
    return term.start_date, term.end_date


def load_demo(stdout: Any = None) -> bool:
    """Loads the demo institution into the default database. False (and nothing
    changed) if it is there already."""
    out = stdout or sys.stdout
    if demo_loaded():
        out.write(
            "The demo is already loaded (the user admin exists); nothing to do.\n"
        )
        return False
    started = time.perf_counter()
    with transaction.atomic():
        builder = _Builder(out)
        builder.institution()
        builder.people()
        builder.course_catalogue()
        builder.enrolments()
        built = builder.lists()
        builder.marks(built)
        builder.catalog()
        builder.usage(built)
        builder.related_lists()
        # Suggestions of related material, counted as the nightly job does.
        from lectio.analytics.suggestions.refresh import refresh_all

        builder.suggestions = refresh_all().as_dict()
    builder.summary()
    out.write(f"Done in {time.perf_counter() - started:.1f} s.\n")
    return True
