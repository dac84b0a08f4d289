"""Reading Alma-shaped request bodies into checked Lectio values. Every refusal is a
400 naming the field. Read-only fields a script got from a GET (id, link, dates the
server keeps) are accepted and ignored, so a script may PUT back what it read."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from lectio.api.alma.errors import bad_input


def as_list(value: Any) -> list[Any]:
    """Alma's JSON gives lists; its XML (read back) gives one object for a list of
    one; a wrapper object ({"citation_tag": [...]}) is unwrapped by the caller."""
    if value is None or value == "":
        return []
    return value if isinstance(value, list) else [value]


def check_keys(data: dict[str, Any], allowed: Iterable[str], where: str = "") -> None:
    known = set(allowed)
    for key in data:
        if key not in known:
            name = f"{where}.{key}" if where else key
            raise bad_input(name, "unknown field.")


def scalar(data: dict[str, Any], key: str, *, where: str = "") -> str | None:
    """A text or code value: "X", 5 or {"value": "X", "desc": ...}; None if absent."""
    value = data.get(key)
    name = f"{where}.{key}" if where else key
    if isinstance(value, dict):
        if "value" not in value:
            raise bad_input(name, "a code value needs “value”.")
        value = value["value"]
    if value is None:
        return None
    if isinstance(value, (bool, dict | list)):
        raise bad_input(name, "expected text.")
    return str(value).strip()


def text(
    data: dict[str, Any], key: str, *, max_length: int = 0, where: str = ""
) -> str:
    value = scalar(data, key, where=where) or ""
    if max_length and len(value) > max_length:
        name = f"{where}.{key}" if where else key
        raise bad_input(name, f"at most {max_length} characters.")
    return value


def required(data: dict[str, Any], key: str, *, max_length: int = 0) -> str:
    value = text(data, key, max_length=max_length)
    if not value:
        raise bad_input(key, "required.")
    return value


def integer(
    data: dict[str, Any], key: str, *, default: int | None = None, where: str = ""
) -> int | None:
    value = data.get(key)
    name = f"{where}.{key}" if where else key
    if isinstance(value, dict) and "value" in value:
        value = value["value"]
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        raise bad_input(name, "expected a whole number.")
    if isinstance(value, int):
        number = value
    else:
        try:
            number = int(str(value).strip())
        except ValueError:
            raise bad_input(name, f"“{value}” is not a whole number.") from None
    if number < 0:
        raise bad_input(name, f"must be 0 or more, not {number}.")
    if number > 2_000_000_000:
        raise bad_input(name, "too large.")
    return number


def date_value(data: dict[str, Any], key: str) -> datetime.date | None:
    """Alma's dates: 2026-09-01Z; the Z is optional."""
    raw = scalar(data, key)
    if not raw:
        return None
    cleaned = raw[:-1] if raw.upper().endswith("Z") else raw
    try:
        return datetime.date.fromisoformat(cleaned[:10] if "T" in cleaned else cleaned)
    except ValueError:
        raise bad_input(
            key, f"“{raw}” is not a date (YYYY-MM-DD, optionally with Z)."
        ) from None


def boolean(data: dict[str, Any], key: str, default: bool = False) -> bool:
    value = data.get(key)
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    lowered = str(value).strip().lower()
    if lowered in ("true", "1", "yes"):
        return True
    if lowered in ("false", "0", "no"):
        return False
    raise bad_input(key, f"“{value}” is not true or false.")


def choice(
    data: dict[str, Any],
    key: str,
    table: dict[str, str],
    *,
    shown: Iterable[str] = (),
    where: str = "",
) -> str | None:
    """A code value read through `table` (upper-cased code -> Lectio value); `shown`
    are the values named in the refusal."""
    raw = scalar(data, key, where=where)
    if not raw:
        return None
    value = table.get(raw.upper())
    if value is None:
        name = f"{where}.{key}" if where else key
        names = ", ".join(shown or sorted(table))
        raise bad_input(name, f"unknown value “{raw}” (one of {names}).")
    return value


def unwrap(data: dict[str, Any], key: str, item: str) -> list[Any]:
    """`{"citation_tags": {"citation_tag": [...]}}` -> the list."""
    value = data.get(key)
    if value is None or value == "":
        return []
    if isinstance(value, dict):
        check_keys(value, (item,), where=key)
        return as_list(value.get(item))
    if isinstance(value, list):
        return value
    raise bad_input(key, f"expected an object holding “{item}”.")
