import pytest

from lectio.citations.formats.common import (
    date_text,
    decode,
    latex_to_unicode,
    name_text,
    parse_date,
    split_name,
    unicode_to_latex,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Baldwin,S.A.", {"family": "Baldwin", "given": "S.A."}),
        ("Light, Janice", {"family": "Light", "given": "Janice"}),
        (
            "King, Martin Luther, Jr.",
            {"family": "King", "given": "Martin Luther", "suffix": "Jr."},
        ),
        (
            "Council on Care, Critical Care, Perioperative",
            {"family": "Council on Care", "given": "Critical Care, Perioperative"},
        ),
        ("World Health Organization", {"literal": "World Health Organization"}),
        ("Plato,", {"family": "Plato"}),
        ("  ", None),
    ],
)
def test_split_name(text, expected):
    assert split_name(text) == expected


def test_name_text_inverts_and_keeps_suffix():
    assert (
        name_text({"family": "King", "given": "Martin", "suffix": "Jr."})
        == "King, Martin, Jr."
    )
    assert (
        name_text({"family": "Hall", "given": "Stuart"}, inverted=False)
        == "Stuart Hall"
    )
    assert name_text({"literal": "UNESCO"}) == "UNESCO"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2019", {"date-parts": [[2019]]}),
        ("2019-05-14", {"date-parts": [[2019, 5, 14]]}),
        ("1990/2/27", {"date-parts": [[1990, 2, 27]]}),
        ("2014/06/01/", {"date-parts": [[2014, 6, 1]]}),
        ("2008///", {"date-parts": [[2008]]}),
        ("May 2019", {"date-parts": [[2019, 5]]}),
        ("14 May 2019", {"date-parts": [[2019, 5, 14]]}),
        ("Spring 2019", {"date-parts": [[2019]], "literal": "Spring 2019"}),
        ("n.d.", {"literal": "n.d."}),
        ("0000", {"literal": "0000"}),
        ("2019-13-01", {"date-parts": [[2019]], "literal": "2019-13-01"}),
        ("", None),
    ],
)
def test_parse_date(text, expected):
    assert parse_date(text) == expected


def test_date_text_round_trips_parts_and_literals():
    assert date_text({"date-parts": [[2019, 5, 4]]}) == "2019-05-04"
    assert date_text({"date-parts": [[2019]]}) == "2019"
    assert (
        date_text({"literal": "Spring 2019", "date-parts": [[2019]]}) == "Spring 2019"
    )


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        (r"Eli{\'a}{\v{s}}", "Eliáš"),
        (r"Ji{\v{r}}{\'{\i}}", "Jiří"),
        (r"Erd{\H o}s", "Erdős"),
        (r"{\"O}nnud{\'o}ttir", "Önnudóttir"),
        (r"jako{\'s}ci {\.z}ycia dzia{\l}ania", "jakości życia działania"),
        (r"r{\ae}{\dh}i {\th}{\'a}tttaka", "ræði þátttaka"),
        (r"Stra{\ss}e \c{c}a \~n \aa", "Straße ça ñ å"),
        (r"Lucius \& Lucius 50\% \$5 \#1 a\_b", "Lucius & Lucius 50% $5 #1 a_b"),
        (r"pages 1--15 and---so", "pages 1–15 and—so"),
        (r"\textit{Natrix cetti} and \textbf{do not}", "Natrix cetti and do not"),
        (r"DNA$_{2}$ and $\Sigma^{0}$", "DNA₂ and Σ⁰"),
        (r"{The {impossible} book}", "The impossible book"),
        (r"an \unknown{command}", r"an \unknowncommand"),
        ("unterminated {brace", "unterminated brace"),
        ("trailing backslash \\", "trailing backslash \\"),
    ],
)
def test_latex_to_unicode(latex, text):
    assert latex_to_unicode(latex) == text


def test_unicode_to_latex_escapes_what_latex_would_read_back():
    text = r"50% of $5 & #1 under_score {braces} back\slash ~ ^"
    assert latex_to_unicode(unicode_to_latex(text)) == text


@pytest.mark.parametrize(
    ("data", "text"),
    [
        ("Müller".encode(), "Müller"),
        (b"\xef\xbb\xbf" + "Müller".encode(), "Müller"),
        ("Müller".encode("utf-16"), "Müller"),
        ("Müller".encode("utf-16-be").join([b"\xfe\xff", b""]), "Müller"),
        ("Müller".encode("latin-1"), "Müller"),
        ("“Müller” – 5 €".encode("cp1252"), "“Müller” – 5 €"),
        ("TY  - BOOK Müller".encode("utf-16-le"), "TY  - BOOK Müller"),
        ("TY  - BOOK Müller".encode("utf-16-be"), "TY  - BOOK Müller"),
        (b"\x81\x8d caf\xe9", "\x81\x8d café"),
    ],
)
def test_decode_reads_the_encodings_reference_managers_write(data, text):
    assert decode(data) == text
