"""What every citation format shares: the parsed entry, errors, decoding, names,
dates, type tables and LaTeX decoding. Pure: no database."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from lectio.lists.models import MaterialType
from lectio.lists.services import CSL_TYPES

# Larger files are refused whole: nobody's reference export is this big, and a
# parser fed hundreds of megabytes would hold a worker for minutes.
MAX_CHARS = 20_000_000
# Name lists of CSL-JSON that Lectio keeps, in the order writers emit them.
NAME_ROLES = (
    "author",
    "editor",
    "translator",
    "collection-editor",
    "container-author",
    "director",
    "composer",
    "interviewer",
    "recipient",
    "reviewed-author",
)
# The plain text fields of the CSL-JSON record Lectio keeps.
TEXT_FIELDS = (
    "title",
    "container-title",
    "collection-title",
    "volume",
    "issue",
    "page",
    "edition",
    "publisher",
    "publisher-place",
    "ISBN",
    "ISSN",
    "DOI",
    "URL",
    "language",
    "abstract",
    "note",
    "genre",
    "number",
    "chapter-number",
)


@dataclass
class Entry:
    """One citation read from a file: Lectio's material type, the CSL-JSON record
    and the text of the entry as it stood in the file."""

    material_type: str
    csl: dict[str, Any]
    source: str = ""
    line: int = 0


@dataclass
class EntryError:
    """Why an entry (number > 0, counted from 1 in file order) or the whole file
    (number 0) gave nothing."""

    number: int
    line: int
    reason: str


@dataclass
class ParseResult:
    entries: list[Entry] = field(default_factory=list)
    errors: list[EntryError] = field(default_factory=list)


def file_error(reason: str, line: int = 0) -> ParseResult:
    return ParseResult(errors=[EntryError(number=0, line=line, reason=reason)])


def too_big(text: str) -> ParseResult | None:
    if len(text) > MAX_CHARS:
        return file_error(
            f"the file has {len(text):,} characters; files up to {MAX_CHARS:,} "
            "are read (split it into smaller files)"
        )
    return None


def looks_binary(text: str) -> bool:
    sample = text[:4096]
    if not sample:
        return False
    controls = sum(1 for c in sample if ord(c) < 32 and c not in "\t\n\r\f")
    return "\x00" in sample or controls > len(sample) // 20


# --- bytes ---------------------------------------------------------------------------


def decode(data: bytes) -> str:
    """Text from a file's bytes: UTF-8 (with or without BOM), UTF-16 (with a BOM, or
    without one when every other byte of the start is zero), else Windows-1252 and
    finally Latin-1, which never fails (reference managers on older systems write
    both)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    head = data[:2000]
    if len(head) >= 8 and len(head) % 2 == 0:
        if head[1::2].count(0) > len(head) * 0.45 and head[0::2].count(0) == 0:
            return data.decode("utf-16-le", errors="replace")
        if head[0::2].count(0) > len(head) * 0.45 and head[1::2].count(0) == 0:
            return data.decode("utf-16-be", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


# --- names ---------------------------------------------------------------------------


def split_name(text: str) -> dict[str, str] | None:
    """A person's name as CSL: "Family, Given" (or "Family,Given", "Family, Given,
    Suffix") splits; anything else is one literal name, since guessing which word
    of "World Health Organization" is the family name does more harm than good."""
    text = " ".join(text.split()).strip(" ;")
    if not text:
        return None
    if "," in text:
        family, _, given = text.partition(",")
        family, given = family.strip(), given.strip()
        suffix = ""
        head, comma, tail = given.rpartition(",")
        if comma and _SUFFIX.match(tail.strip()):
            given, suffix = head.strip(), tail.strip()
        if family and given:
            name = {"family": family, "given": given}
            if suffix:
                name["suffix"] = suffix
            return name
        if family:
            return {"family": family}
        return {"literal": given}
    return {"literal": text}


_SUFFIX = re.compile(r"^(jr|sr|jnr|snr|[ivx]{1,4}|\d+(st|nd|rd|th))\.?$", re.IGNORECASE)


def name_text(name: dict[str, Any], inverted: bool = True) -> str:
    """A CSL name as one string: "Family, Given, Suffix" (or "Given Family")."""
    if name.get("literal"):
        return str(name["literal"])
    family = str(name.get("family") or "")
    given = str(name.get("given") or "")
    suffix = str(name.get("suffix") or "")
    if inverted:
        text = ", ".join(p for p in (family, given) if p)
        return f"{text}, {suffix}" if suffix and given else text
    return " ".join(p for p in (given, family, suffix) if p)


_DOI_LINK = re.compile(
    r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)(10\.\d{4,9}/\S+)$", re.IGNORECASE
)


def doi_from_link(value: str) -> str:
    """The DOI of a doi.org address or a `doi:` link ("" for any other link)."""
    match = _DOI_LINK.match(" ".join(str(value or "").split()))
    return unquote(match.group(1)).rstrip(".,;") if match else ""


# --- dates ---------------------------------------------------------------------------

_MONTHS = {
    m: i
    for i, names in enumerate(
        (
            ("jan", "january", "janvier", "januar"),
            ("feb", "february", "fevrier", "février", "februar"),
            ("mar", "march", "mars", "märz", "marz"),
            ("apr", "april", "avril"),
            ("may", "mai"),
            ("jun", "june", "juin", "juni"),
            ("jul", "july", "juillet", "juli"),
            ("aug", "august", "août", "aout"),
            ("sep", "sept", "september", "septembre"),
            ("oct", "october", "octobre", "oktober"),
            ("nov", "november", "novembre"),
            ("dec", "december", "décembre", "decembre", "dezember"),
        ),
        start=1,
    )
    for m in names
}
_ISO = re.compile(r"^(\d{4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?")
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")


def month_number(text: str) -> int | None:
    text = text.strip().lower().rstrip(".")
    if text.isdigit() and 1 <= int(text) <= 12:
        return int(text)
    return _MONTHS.get(text)


def parse_date(text: str) -> dict[str, Any] | None:
    """CSL date from free text: "2019", "2019-05-14", "2019/05/14/", "May 2019",
    "14 May 2019", "2019 May". What is not a date stays literal."""
    text = " ".join(str(text).split())
    if not text:
        return None
    match = _ISO.match(text)
    if match:
        parts = [int(match.group(1))]
        for group in (match.group(2), match.group(3)):
            if group is None:
                break
            parts.append(int(group))
        rest = text[match.end() :].strip(" /-")
        if _valid(parts) and (not rest or not rest[0].isdigit()):
            return {"date-parts": [parts]}
    year = _YEAR.search(text)
    if year and int(year.group(1)) > 0:
        words = re.findall(
            r"[^\W\d_]+\.?|\d{1,2}(?!\d)", text.replace(year.group(1), " ")
        )
        month = day = None
        for word in words:
            number = month_number(word) if not word.isdigit() else None
            if number and month is None:
                month = number
            elif word.isdigit() and day is None and 1 <= int(word) <= 31:
                day = int(word)
        parts = [int(year.group(1))]
        if month:
            parts.append(month)
            if day:
                parts.append(day)
        leftovers = [w for w in words if not (w.isdigit() or month_number(w))]
        numbers = [w for w in words if w.isdigit()]
        if len(numbers) > (1 if month and day else 0):
            leftovers.extend(numbers)
        if not leftovers:
            return {"date-parts": [parts]}
        return {"date-parts": [parts], "literal": text}
    return {"literal": text}


def _valid(parts: list[int]) -> bool:
    if parts[0] <= 0:
        return False
    if len(parts) > 1 and not 1 <= parts[1] <= 12:
        return False
    return not (len(parts) > 2 and not 1 <= parts[2] <= 31)


def date_text(issued: Any) -> str:
    """The CSL date back as text: "2019", "2019-05", "2019-05-14" or the literal."""
    if not isinstance(issued, dict):
        return str(issued or "")
    parts = issued.get("date-parts") or []
    if parts and parts[0] and not issued.get("literal"):
        first = parts[0]
        out = [str(first[0]).zfill(4)] + [str(p).zfill(2) for p in first[1:3]]
        return "-".join(out)
    if issued.get("literal"):
        return str(issued["literal"])
    if parts and parts[0]:
        return str(parts[0][0])
    return str(issued.get("raw") or "")


def year_of(issued: Any) -> str:
    parts = (issued or {}).get("date-parts") if isinstance(issued, dict) else None
    if parts and parts[0]:
        return str(parts[0][0])
    match = _YEAR.search(date_text(issued))
    return match.group(1) if match else ""


# --- types ---------------------------------------------------------------------------

# CSL types -> Lectio's material types (the CSL type itself stays in the record).
CSL_MATERIAL: dict[str, str] = {
    "article": MaterialType.ARTICLE,
    "article-journal": MaterialType.ARTICLE,
    "article-magazine": MaterialType.ARTICLE,
    "article-newspaper": MaterialType.ARTICLE,
    "review": MaterialType.ARTICLE,
    "review-book": MaterialType.ARTICLE,
    "periodical": MaterialType.JOURNAL,
    "book": MaterialType.BOOK,
    "classic": MaterialType.BOOK,
    "chapter": MaterialType.BOOK_CHAPTER,
    "entry": MaterialType.BOOK_CHAPTER,
    "entry-dictionary": MaterialType.BOOK_CHAPTER,
    "entry-encyclopedia": MaterialType.BOOK_CHAPTER,
    "thesis": MaterialType.THESIS,
    "paper-conference": MaterialType.CONFERENCE_PAPER,
    "report": MaterialType.REPORT,
    "standard": MaterialType.REPORT,
    "webpage": MaterialType.WEBSITE,
    "post": MaterialType.WEBSITE,
    "post-weblog": MaterialType.WEBSITE,
    "motion_picture": MaterialType.VIDEO,
    "broadcast": MaterialType.VIDEO,
    "song": MaterialType.AUDIO,
    "musical_score": MaterialType.OTHER,
    "legislation": MaterialType.LEGAL_DOCUMENT,
    "legal_case": MaterialType.LEGAL_DOCUMENT,
    "bill": MaterialType.LEGAL_DOCUMENT,
    "hearing": MaterialType.LEGAL_DOCUMENT,
    "regulation": MaterialType.LEGAL_DOCUMENT,
    "treaty": MaterialType.LEGAL_DOCUMENT,
    "patent": MaterialType.OTHER,
    "document": MaterialType.OTHER,
    "manuscript": MaterialType.OTHER,
    "map": MaterialType.OTHER,
    "graphic": MaterialType.OTHER,
    "dataset": MaterialType.OTHER,
    "software": MaterialType.OTHER,
    "personal_communication": MaterialType.OTHER,
    "interview": MaterialType.OTHER,
    "speech": MaterialType.OTHER,
    "pamphlet": MaterialType.OTHER,
}


def material_from_csl(csl_type: str) -> str:
    return CSL_MATERIAL.get(csl_type, MaterialType.OTHER)


def csl_type_for(material_type: str) -> str:
    return CSL_TYPES.get(material_type, "document")


def entry_for(csl: dict[str, Any], source: str = "", line: int = 0) -> Entry:
    """An entry whose material type follows from the record's CSL type; an e-book
    is a book with a URL or an electronic medium."""
    csl_type = str(csl.get("type") or "document")
    material = material_from_csl(csl_type)
    return Entry(material_type=material, csl=csl, source=source, line=line)


def clean_record(csl: dict[str, Any]) -> dict[str, Any]:
    """Drops empty values and squeezes whitespace in text fields (NFC)."""
    out: dict[str, Any] = {}
    for key, value in csl.items():
        if isinstance(value, str):
            value = unicodedata.normalize("NFC", " ".join(value.split()))
            if value:
                out[key] = value
        elif isinstance(value, list):
            if key == "keyword" or key == "keywords":
                value = [" ".join(str(v).split()) for v in value if str(v).strip()]
            if value:
                out[key] = value
        elif isinstance(value, dict):
            if value:
                out[key] = value
        elif value is not None:
            out[key] = value
    return out


# --- LaTeX ---------------------------------------------------------------------------

# Accent commands -> combining marks (NFC composes them with their letter).
_ACCENTS = {
    "'": "\u0301",
    "`": "\u0300",
    "^": "\u0302",
    '"': "\u0308",
    "~": "\u0303",
    "=": "\u0304",
    ".": "\u0307",
    "u": "\u0306",
    "v": "\u030c",
    "H": "\u030b",
    "c": "\u0327",
    "k": "\u0328",
    "r": "\u030a",
    "d": "\u0323",
    "b": "\u0331",
    "t": "\u0361",
}
_SYMBOLS = {
    "ss": "ß",
    "o": "ø",
    "O": "Ø",
    "ae": "æ",
    "AE": "Æ",
    "oe": "œ",
    "OE": "Œ",
    "aa": "å",
    "AA": "Å",
    "l": "ł",
    "L": "Ł",
    "i": "ı",
    "j": "ȷ",
    "dh": "ð",
    "DH": "Ð",
    "th": "þ",
    "TH": "Þ",
    "dj": "đ",
    "DJ": "Đ",
    "ng": "ŋ",
    "NG": "Ŋ",
    "S": "§",
    "P": "¶",
    "copyright": "©",
    "textregistered": "®",
    "texttrademark": "™",
    "textquotesingle": "'",
    "textquotedbl": '"',
    "textquoteleft": "‘",
    "textquoteright": "’",
    "textquotedblleft": "“",
    "textquotedblright": "”",
    "textendash": "–",
    "textemdash": "—",
    "textellipsis": "…",
    "ldots": "…",
    "dots": "…",
    "textbackslash": "\\",
    "textasciitilde": "~",
    "textasciicircum": "^",
    "textunderscore": "_",
    "textbar": "|",
    "textless": "<",
    "textgreater": ">",
    "textdegree": "°",
    "textsection": "§",
    "euro": "€",
    "pounds": "£",
    "textperiodcentered": "·",
    "guillemotleft": "«",
    "guillemotright": "»",
    "TeX": "TeX",
    "LaTeX": "LaTeX",
    "alpha": "α",
    "beta": "β",
    "gamma": "γ",
    "delta": "δ",
    "epsilon": "ε",
    "lambda": "λ",
    "mu": "μ",
    "pi": "π",
    "sigma": "σ",
    "Sigma": "Σ",
    "Delta": "Δ",
    "Gamma": "Γ",
    "Omega": "Ω",
    "omega": "ω",
    "theta": "θ",
    "phi": "φ",
    "psi": "ψ",
    "chi": "χ",
    "tau": "τ",
    "rho": "ρ",
    "eta": "η",
    "kappa": "κ",
    "nu": "ν",
    "xi": "ξ",
    "zeta": "ζ",
    "iota": "ι",
    "infty": "∞",
    "pm": "±",
    "times": "×",
    "sim": "∼",
    "leq": "≤",
    "geq": "≥",
    "neq": "≠",
    "approx": "≈",
    "cdot": "·",
}
# Commands whose argument is kept as plain text.
_KEEP_ARGUMENT = {
    "textit",
    "emph",
    "textbf",
    "textsc",
    "textrm",
    "textsf",
    "texttt",
    "textup",
    "textnormal",
    "mathrm",
    "mathit",
    "mathbf",
    "mbox",
    "url",
    "href",
    "uppercase",
    "lowercase",
    "textsuperscript",
    "textsubscript",
    "enquote",
    "ensuremath",
    "text",
}
_ESCAPES = {"&": "&", "%": "%", "$": "$", "#": "#", "_": "_", "{": "{", "}": "}"}
_SUPERSCRIPTS = str.maketrans("0123456789+-=()n", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿ")
_SUBSCRIPTS = str.maketrans("0123456789+-=()", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎")
_COMMAND = re.compile(r"\\([A-Za-z]+|.)")


def latex_to_unicode(text: str) -> str:
    """Plain Unicode from BibTeX's LaTeX: accents ({\\"a}, \\'{e}, \\v{c}), special
    letters (\\ss, \\o, \\l), escaped characters, ~ as a space, -- and --- as dashes,
    simple math sub- and superscripts, formatting commands reduced to their text,
    grouping braces dropped. Anything unknown is kept as written, never raised on."""
    if "\\" not in text and "{" not in text and "~" not in text and "-" not in text:
        return text
    out: list[str] = []
    i, n = 0, len(text)
    in_math = False
    while i < n:
        ch = text[i]
        if ch == "\\":
            match = _COMMAND.match(text, i)
            if not match:
                out.append(ch)
                i += 1
                continue
            name = match.group(1)
            i = match.end()
            if name in _ESCAPES:
                out.append(_ESCAPES[name])
            elif name in ("\\", " ", ","):
                out.append(" ")
            elif name in _ACCENTS and (len(name) == 1 or name.isalpha()):
                if name.isalpha():
                    while i < n and text[i] == " ":
                        i += 1
                base, i = _argument(text, i)
                base = latex_to_unicode(base)
                if base[:1] == "\u0131" and name != "i":
                    base = "i" + base[1:]
                if base:
                    out.append(base[:1] + _ACCENTS[name] + base[1:])
                else:
                    # An accent over nothing is the accent itself.
                    out.append(name if not name.isalpha() else "")
            elif name in _SYMBOLS:
                # "\\ss{}" and "\\ss " end the command.
                if text.startswith("{}", i):
                    i += 2
                elif i < n and text[i] == " " and name.isalpha():
                    i += 1
                out.append(_SYMBOLS[name])
            elif name in _KEEP_ARGUMENT:
                if name == "href":
                    _url, i = _argument(text, i)
                argument, i = _argument(text, i)
                value = latex_to_unicode(argument)
                if name == "textsuperscript":
                    value = value.translate(_SUPERSCRIPTS)
                elif name == "textsubscript":
                    value = value.translate(_SUBSCRIPTS)
                out.append(value)
            else:
                out.append("\\" + name)
            continue
        if ch == "$":
            in_math = not in_math
            i += 1
            continue
        if in_math and ch in "^_":
            argument, i = _argument(text, i + 1)
            value = latex_to_unicode(argument)
            table = _SUPERSCRIPTS if ch == "^" else _SUBSCRIPTS
            translated = value.translate(table)
            out.append(translated)
            continue
        if ch in "{}":
            i += 1
            continue
        if ch == "~":
            out.append("\u00a0")
            i += 1
            continue
        if text.startswith("---", i):
            out.append("—")
            i += 3
            continue
        if text.startswith("--", i):
            out.append("–")
            i += 2
            continue
        out.append(ch)
        i += 1
    return unicodedata.normalize("NFC", "".join(out))


def _argument(text: str, i: int) -> tuple[str, int]:
    """The argument of a command at i: a braced group or one character."""
    n = len(text)
    if i >= n:
        return "", i
    if text[i] != "{":
        if text[i] == "\\":
            match = _COMMAND.match(text, i)
            if match:
                return match.group(0), match.end()
        return text[i], i + 1
    depth, j = 0, i
    while j < n:
        if text[j] == "\\":
            j += 2
            continue
        if text[j] == "{":
            depth += 1
        elif text[j] == "}":
            depth -= 1
            if depth == 0:
                return text[i + 1 : j], j + 1
        j += 1
    return text[i + 1 :], n


_UNICODE_TO_LATEX = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def unicode_to_latex(text: str) -> str:
    """Escapes the characters BibTeX treats specially; other Unicode is written as
    is (BibLaTeX and modern BibTeX read UTF-8, and latex_to_unicode leaves it)."""
    return "".join(_UNICODE_TO_LATEX.get(c, c) for c in text)
