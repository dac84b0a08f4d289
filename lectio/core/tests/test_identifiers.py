import pytest

from lectio.core.identifiers import (
    identify,
    isbn13_to_10,
    normalize_doi,
    normalize_isbn,
    normalize_issn,
    normalize_lccn,
    normalize_oclc,
)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("0-19-852663-6", "9780198526636"),
        ("0198526636 (pbk.)", "9780198526636"),
        ("978-0-19-852663-6", "9780198526636"),
        ("9780198526636", "9780198526636"),
        ("080442957X", "9780804429573"),
        ("080442957x", "9780804429573"),
        ("979-10-90636-07-1", "9791090636071"),
        ("0198526637", None),  # wrong check digit
        ("9780198526637", None),
        ("12345", None),
        ("", None),
    ],
)
def test_normalize_isbn(given: str, expected: str | None) -> None:
    assert normalize_isbn(given) == expected


def test_isbn13_to_10_round_trips() -> None:
    assert isbn13_to_10("9780804429573") == "080442957X"
    assert isbn13_to_10("9791090636071") is None


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("0028-0836", "0028-0836"),
        ("00280836", "0028-0836"),
        ("2049-3630", "2049-3630"),
        ("0317-8471", "0317-8471"),
        ("1050-124x", "1050-124X"),
        ("0028-0837", None),
        ("abc", None),
    ],
)
def test_normalize_issn(given: str, expected: str | None) -> None:
    assert normalize_issn(given) == expected


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("n78-890351", "n78890351"),
        ("n78-89035", "n78089035"),
        ("  85000002 ", "85000002"),
        ("2001-000002", "2001000002"),
        ("75-425165//r75", "75425165"),
        ("   79139101 /AC/r932", "79139101"),
    ],
)
def test_normalize_lccn(given: str, expected: str) -> None:
    assert normalize_lccn(given) == expected


def test_normalize_oclc_and_doi() -> None:
    assert normalize_oclc("(OCoLC)ocm00012345") == "12345"
    assert normalize_oclc("ocn123456789") == "123456789"
    assert normalize_oclc("not a number") is None
    assert (
        normalize_doi("https://doi.org/10.1038/NATURE12373.") == "10.1038/nature12373"
    )
    assert normalize_doi("doi:10.1000/xyz") == "10.1000/xyz"
    assert normalize_doi("nothing") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("978-0-19-852663-6", ("isbn", "9780198526636")),
        ("0 19 852663 6", ("isbn", "9780198526636")),
        ("isbn:0198526636", ("isbn", "9780198526636")),
        ("0028-0836", ("issn", "0028-0836")),
        ("10.1038/nature12373", ("doi", "10.1038/nature12373")),
        ("(OCoLC)12345", ("oclc", "12345")),
        ("lccn:n78-890351", ("lccn", "n78890351")),
        ("origin of species", None),
        ("1984", None),
        ("", None),
    ],
)
def test_identify(text: str, expected: tuple[str, str] | None) -> None:
    assert identify(text) == expected
