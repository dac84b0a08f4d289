"""A generated Alma course-loader file for the course-loader benchmark: deterministic
and shaped like a student information system's export (one term, one or two
instructors, one campus, departments from a small set, searchable ids)."""

from __future__ import annotations

import random

from lectio.courses.loader import COLUMNS

TERM = "BENCH-T1"
CAMPUSES = ("BENCH-CITY", "BENCH-RIVER")
DEPARTMENTS = tuple(
    f"BENCH-{name}"
    for name in (
        "HIST",
        "BIOL",
        "LAW",
        "COMP",
        "ECON",
        "PHYS",
        "CHEM",
        "MATH",
        "PHIL",
        "ENGL",
        "MUSI",
        "GEOG",
    )
)
LIBRARIES = ("BENCH-LIB-MAIN", "BENCH-LIB-SCI", "BENCH-LIB-LAW")
INSTRUCTORS = 3_000
SUBJECTS = (
    "Introduction to",
    "Advanced",
    "Topics in",
    "Seminar in",
    "Foundations of",
    "Methods in",
)
TOPICS = (
    "Modern History",
    "Cell Biology",
    "Contract Law",
    "Algorithms",
    "Macroeconomics",
    "Quantum Mechanics",
    "Organic Chemistry",
    "Linear Algebra",
    "Ethics",
    "Victorian Literature",
    "Harmony",
    "Urban Geography",
)


def instructor_id(n: int) -> str:
    return f"BENCH-I{n:05d}"


def course_file(rows: int, prefix: str = "BC", seed: int = 6) -> bytes:
    """`rows` courses `{prefix}00000`, `{prefix}00001`, ... as a course-loader file."""
    rng = random.Random(seed)
    index = {name: i for i, name in enumerate(COLUMNS)}
    lines = ["\t".join(COLUMNS)]
    for n in range(rows):
        cells = [""] * len(COLUMNS)
        dept = rng.randrange(len(DEPARTMENTS))
        code = f"{prefix}{n:05d}"
        participants = rng.randint(8, 400)
        teachers = [instructor_id(rng.randrange(INSTRUCTORS))]
        if rng.random() < 0.4:
            teachers.append(instructor_id(rng.randrange(INSTRUCTORS)))
        values = {
            "COURSE_CODE": code,
            "COURSE_TITLE": f"{rng.choice(SUBJECTS)} {TOPICS[dept]} {n % 400 + 100}",
            "SECTION_ID": f"{rng.randint(1, 3):02d}",
            "ACAD_DEPT": DEPARTMENTS[dept],
            "PROC_DEPT": LIBRARIES[dept % len(LIBRARIES)],
            "TERM1": TERM,
            "START_DATE": "2026-09-28",
            "END_DATE": "2026-12-11",
            "NUM_OF_PARTICIPANTS": str(participants),
            "WEEKLY_HOURS": str(rng.randint(1, 6)),
            "YEAR": "2026",
            "SEARCH_ID1": f"{code}-AUT26",
            "INSTR1": teachers[0],
            "ALL_INSTRUCTORS": ",".join(teachers),
            "SUBMIT_LISTS_BY": "2026-08-17",
            "CAMPUS_AND_PARTICIPANTS": f"{rng.choice(CAMPUSES)}|{participants}",
        }
        for name, value in values.items():
            cells[index[name]] = value
        lines.append("\t".join(cells))
    return ("\r\n".join(lines) + "\r\n").encode()
