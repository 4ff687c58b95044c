"""One catalogue of error codes: `core.exceptions.ErrorCode`, each code documented in docs/api.md.

- every code written in the code base (as a literal, a class attribute, an `errors` item, ...) is in the
  catalogue, and the code base writes `ErrorCode.X`, not the literal (so a new literal fails here);
- every validation code the API framework can answer for our input serializers is in the catalogue;
- the catalogue and the table "Error codes" of docs/api.md list the same codes, each with a status.

The scan (tests/architecture/scan.py) reads the source: a literal code written where a code goes fails
here with its `path:line`.
"""

from __future__ import annotations

import ast
import importlib
import re
from typing import Any

from rest_framework import serializers

from core.exceptions import ErrorCode
from tests.architecture.scan import ROOT, _CodeFinder, error_code_uses, source_files

# Spellings unified into one code (the same situation gets the same code everywhere). They are not in
# the catalogue and nothing writes them any more.
DROPPED = {
    "serial_already_used": ErrorCode.SERIAL_USED_BEFORE,
    "serial_expired": ErrorCode.EXPIRED,
    "lot_expired": ErrorCode.EXPIRED,
    "select_existing_numbers": ErrorCode.ASSIGN_NOT_ALLOWED,
    "unknown_location": ErrorCode.NOT_FOUND,
    "unknown_item": ErrorCode.NOT_FOUND,
    "unknown_bin": ErrorCode.NOT_FOUND,
}

CATALOGUE = {member.value for member in ErrorCode}


# Every way of writing a code the scan knows, each with a literal it must report.
SAMPLE = """
class Refused(Conflict):
    code = "sample_class_attribute"

def field_error(field, code, detail):
    return {"field": field, "code": code, "detail": detail}

def refuse(kind):
    raise Conflict("...", code="sample_keyword", errors=[{"field": "x", "code": "sample_dict"}])
    field_error("x", "sample_helper", "...")
    code = "sample_local" if kind else f"{kind}_sample_fstring"
    SAMPLE_CODES = {"sample_collection"}
    if error.code == "sample_comparison":
        pass
"""


def test_the_scan_finds_every_way_of_writing_a_code() -> None:
    # given a module writing a code in each way the code base could
    finder = _CodeFinder("sample.py", {})
    finder.visit(ast.parse(SAMPLE))
    # then the scan reports each of them (an f-string without a value), so the tests below can fail
    assert sorted(str(use.code) for use in finder.uses) == [
        "None",
        "sample_class_attribute",
        "sample_collection",
        "sample_comparison",
        "sample_dict",
        "sample_helper",
        "sample_keyword",
        "sample_local",
    ]
    assert len(list(source_files())) > 50


def test_every_code_written_in_the_code_base_is_in_the_catalogue() -> None:
    # given every place that writes an error code as a string
    uses = [use for use in error_code_uses() if use.code is not None]
    # then each code is a member of ErrorCode
    unknown = [
        f"{use} (use {DROPPED[use.code].value!r})" if use.code in DROPPED else str(use)
        for use in uses
        if use.code not in CATALOGUE
    ]
    assert not unknown, "Codes missing from core.exceptions.ErrorCode:\n" + "\n".join(unknown)


def test_codes_are_written_as_catalogue_members_not_as_literals() -> None:
    literals = [str(use) for use in error_code_uses()]
    assert not literals, (
        "Write ErrorCode.<NAME> instead of these literal (or f-string) error codes:\n" + "\n".join(literals)
    )


def test_dropped_spellings_are_not_in_the_catalogue() -> None:
    assert not CATALOGUE & set(DROPPED)
    assert set(DROPPED.values()) <= set(ErrorCode)


def test_every_catalogue_member_is_used() -> None:
    # given every ErrorCode.X written in the apps, every literal code, and the API framework's codes
    referenced = {use.code for use in error_code_uses()} | _validation_codes() | _framework_codes()
    for _, tree in source_files():
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "ErrorCode"
            ):
                referenced.add(ErrorCode[node.attr].value)
    # then no member is dead (an unused code documented for clients is a promise nobody keeps)
    assert sorted(CATALOGUE - referenced) == []


# --- The API framework's validation codes -------------------------------------------------------------

# Codes of DRF fields that JSON input cannot produce (a date field given a datetime object, ...).
NOT_FROM_JSON = {"date", "datetime", "make_aware", "overflow"}


def _framework_codes() -> set[str]:
    """Codes core.api gives the API framework's own exceptions (401, 403, 404, 405, ...)."""
    from core.api import _DRF_CODES

    return {code for code, _ in _DRF_CODES.values()}


def _input_serializers() -> list[serializers.BaseSerializer[Any]]:
    """Serializers that parse client input, as the API modules of the apps use them: named in
    `@extend_schema(request=...)` (with `many=True` when written so) or called with `data=`."""
    found: list[serializers.BaseSerializer[Any]] = []
    for path, tree in source_files():
        module = None
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            named: list[ast.expr] = [k.value for k in node.keywords if k.arg == "request"]
            if any(k.arg == "data" for k in node.keywords):
                named.append(node.func)
            for expr in named:
                many = False
                if isinstance(expr, ast.Call):
                    many = any(k.arg == "many" for k in expr.keywords)
                    expr = expr.func
                if not (isinstance(expr, ast.Name) and expr.id.endswith("Serializer")):
                    continue
                module = module or importlib.import_module(path.removesuffix(".py").replace("/", "."))
                found.append(getattr(module, expr.id)(many=many))
    return found


def _field_codes(field: Any) -> set[str]:
    if getattr(field, "read_only", False):
        return set()
    codes = set(field.error_messages)
    if isinstance(field, serializers.ListSerializer | serializers.ListField):
        codes |= _field_codes(field.child)
    elif isinstance(field, serializers.Serializer):
        for child in field.fields.values():
            codes |= _field_codes(child)
    return codes


def _validation_codes() -> set[str]:
    codes: set[str] = set()
    for serializer in _input_serializers():
        codes |= _field_codes(serializer)
    return codes - NOT_FROM_JSON


def test_the_api_frameworks_validation_codes_are_in_the_catalogue() -> None:
    # given the input serializers of every API module (the codes reach clients in `errors[].code`)
    assert len(_input_serializers()) > 10
    codes = _validation_codes()
    assert {"required", "invalid", "max_length"} <= codes
    # then every code they can give is in the catalogue
    assert sorted(codes - CATALOGUE) == []
    assert sorted(_framework_codes() - CATALOGUE) == []


# --- docs/api.md ---------------------------------------------------------------------------------------

ROW = re.compile(r"^\| `(?P<code>[a-z0-9_]+)` \| (?P<status>[^|]+) \| (?P<meaning>[^|]+) \|$")
STATUSES = {400, 401, 403, 404, 405, 406, 409, 413, 415, 422, 429, 500, 503}


def _documented() -> dict[str, tuple[str, str]]:
    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    section = text.split("## Error codes", 1)[1].split("\n## ", 1)[0]
    rows: dict[str, tuple[str, str]] = {}
    for line in section.splitlines():
        match = ROW.match(line.strip())
        if match:
            assert match["code"] not in rows, f"{match['code']} is listed twice in docs/api.md"
            rows[match["code"]] = (match["status"].strip(), match["meaning"].strip())
    return rows


def test_docs_api_md_lists_exactly_the_catalogue() -> None:
    documented = _documented()
    assert sorted(CATALOGUE - set(documented)) == [], "add these codes to the table in docs/api.md"
    assert sorted(set(documented) - CATALOGUE) == [], "these codes of docs/api.md are not in ErrorCode"


def test_each_documented_code_has_a_status_and_a_meaning() -> None:
    problems = []
    for code, (status, meaning) in _documented().items():
        numbers = {int(n) for n in re.findall(r"\b\d{3}\b", status)}
        if not numbers or not numbers <= STATUSES:
            problems.append(f"{code}: status {status!r} names no HTTP status the API answers")
        if len(meaning) < 20:
            problems.append(f"{code}: say what it means and what to do")
    assert not problems, "\n".join(problems)
