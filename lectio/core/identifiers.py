"""Standard identifiers: recognise, validate and normalise ISBN, ISSN, LCCN, OCLC
numbers and DOIs, whatever form they arrive in (hyphens, spaces, prefixes, ISBN-10
or 13, a trailing qualifier like "(pbk.)").

Normal forms: ISBN-13 digits only; ISSN `NNNN-NNNX`; LCCN as the Library of
Congress normalises it (prefix letters + year + six-digit serial, no hyphen or
spaces); OCLC digits without leading zeros; DOI lower-cased `10.NNNN/...`.
"""

from __future__ import annotations

import re

_ISBN_CHARS = re.compile(r"[\s\-‐‑‒–—]")
_ISBN_CANDIDATE = re.compile(r"(?:97[89][\s\-]?)?(?:\d[\s\-]?){9}[\dXx]")
_ISSN = re.compile(r"^(\d{4})[\s\-‐‑–]?(\d{3}[\dXx])$")
_OCLC = re.compile(
    r"^\s*(?:\(OCoLC\))?\s*(?:ocm|ocn|on|oclc:?)?\s*0*(\d{1,12})\s*$", re.I
)
_DOI = re.compile(r"10\.\d{4,9}/\S+")
_LCCN_SERIAL = re.compile(r"^([a-z]*)(\d+)(?:-(\d+))?$")


def _isbn10_ok(d: str) -> bool:
    total = sum((10 - i) * (10 if c in "Xx" else int(c)) for i, c in enumerate(d))
    return d[:9].isdigit() and (d[9].isdigit() or d[9] in "Xx") and total % 11 == 0


def _isbn13_check(first12: str) -> str:
    total = sum(int(c) * (1 if i % 2 == 0 else 3) for i, c in enumerate(first12))
    return str((10 - total % 10) % 10)


def normalize_isbn(value: str) -> str | None:
    """The ISBN-13 (digits only) of an ISBN-10 or ISBN-13 in any punctuation, or None
    when it is not a valid ISBN. Text after the number ("0198526636 (pbk.)") is
    ignored."""
    if not value:
        return None
    match = _ISBN_CANDIDATE.search(value.strip())
    if not match:
        return None
    digits = _ISBN_CHARS.sub("", match.group(0)).upper()
    if len(digits) == 10:
        if not _isbn10_ok(digits):
            return None
        first12 = "978" + digits[:9]
        return first12 + _isbn13_check(first12)
    if len(digits) == 13 and digits.isdigit() and digits[:3] in ("978", "979"):
        if _isbn13_check(digits[:12]) != digits[12]:
            return None
        return digits
    return None


def isbn13_to_10(isbn13: str) -> str | None:
    """The ISBN-10 form of a 978 ISBN-13 (979 numbers have none)."""
    if len(isbn13) != 13 or not isbn13.startswith("978"):
        return None
    core = isbn13[3:12]
    total = sum((10 - i) * int(c) for i, c in enumerate(core))
    check = (11 - total % 11) % 11
    return core + ("X" if check == 10 else str(check))


def normalize_issn(value: str) -> str | None:
    """`NNNN-NNNX` for a valid ISSN (check digit verified), else None."""
    if not value:
        return None
    match = _ISSN.match(value.strip().split()[0] if value.strip() else "")
    if not match:
        return None
    digits = (match.group(1) + match.group(2)).upper()
    total = sum((8 - i) * int(c) for i, c in enumerate(digits[:7]))
    check = (11 - total % 11) % 11
    if digits[7] != ("X" if check == 10 else str(check)):
        return None
    return f"{digits[:4]}-{digits[4:]}"


def normalize_lccn(value: str) -> str | None:
    """The normalised LCCN (https://www.loc.gov/marc/lccn-namespace.html): spaces and
    anything after a slash removed, a hyphenated serial zero-padded to six digits."""
    if not value:
        return None
    text = value.strip().lower().split("/")[0].replace(" ", "")
    match = _LCCN_SERIAL.match(text)
    if not match:
        return None
    prefix, year, serial = match.groups()
    if serial is not None:
        if len(serial) > 6:
            return None
        text = prefix + year + serial.zfill(6)
    return text or None


def normalize_oclc(value: str) -> str | None:
    """Digits of an OCLC number, from `(OCoLC)ocm01234567`, `ocn...`, `12345`."""
    if not value:
        return None
    match = _OCLC.match(value)
    return match.group(1) if match else None


def normalize_doi(value: str) -> str | None:
    """`10.xxxx/...` lower-cased, from a bare DOI, `doi:...` or a doi.org address."""
    if not value:
        return None
    match = _DOI.search(value.strip())
    if not match:
        return None
    return match.group(0).rstrip(".,;)").lower()


def identify(text: str) -> tuple[str, str] | None:
    """When `text` is nothing but an identifier, its kind ("isbn", "issn", "doi",
    "oclc", "lccn") and normal form; otherwise None. A search box uses this to turn
    a pasted number into an exact lookup."""
    text = text.strip()
    if not text or len(text) > 200:
        return None
    lowered = text.lower()
    for prefix, kind in (
        ("isbn:", "isbn"),
        ("issn:", "issn"),
        ("doi:", "doi"),
        ("oclc:", "oclc"),
        ("lccn:", "lccn"),
    ):
        if lowered.startswith(prefix):
            rest = text[len(prefix) :].strip()
            value = {
                "isbn": normalize_isbn,
                "issn": normalize_issn,
                "doi": normalize_doi,
                "oclc": normalize_oclc,
                "lccn": normalize_lccn,
            }[kind](rest)
            return (kind, value) if value else None
    if lowered.startswith(("10.", "https://doi.org/", "http://dx.doi.org/")):
        doi = normalize_doi(text)
        return ("doi", doi) if doi else None
    compact = _ISBN_CHARS.sub("", text)
    if re.fullmatch(r"\d{9}[\dXx]|\d{13}", compact):
        isbn = normalize_isbn(compact)
        if isbn:
            return ("isbn", isbn)
    if re.fullmatch(r"\d{4}-?\d{3}[\dXx]", text):
        issn = normalize_issn(text)
        if issn:
            return ("issn", issn)
    if lowered.startswith(("(ocolc)", "ocm", "ocn")):
        oclc = normalize_oclc(text)
        return ("oclc", oclc) if oclc else None
    return None
