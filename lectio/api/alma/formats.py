"""Alma's two wire formats. Objects are built once as JSON-shaped dicts (Alma's JSON
form) and turned into Alma's XML form by rule:

- a code value `{"value": V, "desc": D}` is `<key desc="D">V</key>`;
- `link` and `total_record_count` are attributes of their object;
- a bare list (`"term": [...]`) is wrapped (`<terms><term>..</term></terms>`), a list
  already inside a wrapper object (`"reading_lists": {"reading_list": [...]}`) is
  repeated elements.

Request bodies come in either form and are read back into the same dict shape (code
values as plain strings or `{"value": ...}`, lists of one as one object: readers
accept both)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse

from lectio.api.alma.errors import AlmaError

# Bare lists and the element that wraps them in XML.
WRAPPERS = {
    "term": "terms",
    "instructor": "instructors",
    "campus": "campuses",
    "searchable_id": "searchable_ids",
    "note": "notes",
}
WRAPPED = {wrapper: item for item, wrapper in WRAPPERS.items()}
ATTRIBUTES = ("link", "total_record_count")
ERROR_NAMESPACE = "http://com/exlibris/urm/general/xmlbeans"


def wants_json(request: HttpRequest) -> bool:
    """JSON for `format=json` or `Accept: application/json`; XML otherwise (Alma's
    default)."""
    fmt = request.GET.get("format", "").strip().lower()
    if fmt in ("json", "xml"):
        return fmt == "json"
    return "application/json" in request.headers.get("Accept", "")


def check_format(request: HttpRequest) -> None:
    fmt = request.GET.get("format", "").strip().lower()
    if fmt not in ("", "json", "xml"):
        raise AlmaError(400, "use json or xml.", field="format")


def respond(
    request: HttpRequest, root: str, data: dict[str, Any], status: int = 200
) -> HttpResponse:
    if wants_json(request):
        return HttpResponse(
            json.dumps(data, ensure_ascii=False),
            status=status,
            content_type="application/json; charset=utf-8",
        )
    return HttpResponse(
        to_xml(root, data),
        status=status,
        content_type="application/xml; charset=utf-8",
    )


def error_response(
    request: HttpRequest, body: dict[str, Any], status: int
) -> HttpResponse:
    if wants_json(request):
        return HttpResponse(
            json.dumps(body, ensure_ascii=False),
            status=status,
            content_type="application/json; charset=utf-8",
        )
    inner = body["web_service_result"]
    return HttpResponse(
        to_xml("web_service_result", inner, namespace=ERROR_NAMESPACE),
        status=status,
        content_type="application/xml; charset=utf-8",
    )


# --- dict -> XML -------------------------------------------------------------------


def _is_code(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and "value" in value
        and set(value) <= {"value", "desc"}
        and not isinstance(value["value"], dict | list)
    )


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(element: ET.Element, data: dict[str, Any]) -> None:
    for key, value in data.items():
        if value is None:
            continue
        if key in ATTRIBUTES and not isinstance(value, dict | list):
            element.set(key, _text(value))
        elif isinstance(value, list):
            parent = (
                ET.SubElement(element, WRAPPERS[key]) if key in WRAPPERS else element
            )
            for item in value:
                _child(parent, key, item)
        else:
            _child(element, key, value)


def _child(parent: ET.Element, tag: str, value: Any) -> None:
    if value is None:
        return
    child = ET.SubElement(parent, tag)
    if _is_code(value):
        if value.get("desc") is not None:
            child.set("desc", _text(value["desc"]))
        if value["value"] is not None:
            child.text = _text(value["value"])
    elif isinstance(value, dict):
        _fill(child, value)
    else:
        child.text = _text(value)


def to_xml(root: str, data: dict[str, Any], namespace: str = "") -> bytes:
    element = ET.Element(root)
    if namespace:
        element.set("xmlns", namespace)
    _fill(element, data)
    return ET.tostring(element, encoding="UTF-8", xml_declaration=True)


# --- request bodies ----------------------------------------------------------------


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _from_element(element: ET.Element) -> Any:
    children = list(element)
    if not children:
        text = (element.text or "").strip()
        if "desc" in element.attrib:
            return {"value": text, "desc": element.attrib["desc"]}
        if element.attrib:
            return {**{_local(k): v for k, v in element.attrib.items()}, "value": text}
        return text
    out: dict[str, Any] = {_local(k): v for k, v in element.attrib.items()}
    for child in children:
        tag = _local(child.tag)
        if tag in WRAPPED:
            out[WRAPPED[tag]] = [_from_element(c) for c in child]
            continue
        value = _from_element(child)
        if tag in out:
            if not isinstance(out[tag], list):
                out[tag] = [out[tag]]
            out[tag].append(value)
        else:
            out[tag] = value
    return out


def read_body(request: HttpRequest, root: str) -> dict[str, Any]:
    """The request's object, from JSON or XML (by Content-Type, else by its first
    character). A 400 names what is wrong with it."""
    try:
        raw = request.body
    except RequestDataTooBig:
        raise AlmaError(413, "The request body is too large.") from None
    text = raw.decode("utf-8-sig", errors="replace").strip()
    if not text:
        raise AlmaError(400, f"send a {root} object (JSON or XML).", field="body")
    content_type = request.content_type or ""
    as_xml = "xml" in content_type or (
        "json" not in content_type and text.startswith("<")
    )
    if as_xml:
        if "<!DOCTYPE" in text.upper() or "<!ENTITY" in text.upper():
            raise AlmaError(400, "document types are not accepted.", field="body")
        try:
            element = ET.fromstring(text)
        except ET.ParseError as exc:
            raise AlmaError(
                400, f"not well-formed XML ({exc}).", field="body"
            ) from None
        if _local(element.tag) != root:
            raise AlmaError(
                400,
                f"expected a <{root}> element, got <{_local(element.tag)}>.",
                field="body",
            )
        data = _from_element(element)
        return data if isinstance(data, dict) else {}
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise AlmaError(400, f"not valid JSON ({exc}).", field="body") from None
    if not isinstance(data, dict):
        raise AlmaError(400, f"expected a {root} object.", field="body")
    return data
