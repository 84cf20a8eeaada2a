"""The official Open Referral HSDS 3.0 JSON schema, and the check of a document against it.

The schema is third-party data, never committed: ``schema/compiled/tabular.json`` of the openreferral/specification
repository at tag ``v3.0``, pinned by hash in ``geo/registry.txt`` and read through :func:`geo.sources.fetch` (from
the data mirror, or downloaded and hash-checked). It describes a whole HSDS data set in the tabular shape: one
member per HSDS table, each an array of flat objects.

:func:`problems` checks a document with ``jsonschema`` (draft 2020-12, every ``format`` checked that jsonschema
can check here: ``uuid``, ``email``, ``date-time``; ``uri`` needs a package Rujuk does not install), then what the
schema states outside JSON Schema keywords: the ``tabular_required`` foreign keys of each table and the unique
``id`` of every object. With ``strict``, every object of the schema also gets ``additionalProperties: false``, as
upstream's own check of its examples does (``validate_examples_json_schema.sh``): Rujuk's exports pass it, so they
carry no member HSDS does not define.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from functools import cache
from typing import TYPE_CHECKING, Any

from core.errors import DataUnavailableError, RowError, cut
from geo import sources

if TYPE_CHECKING:
    import jsonschema

SCHEMA_FILE = "upstream/openreferral-specification/schema/compiled/tabular.json"
"""The pinned schema (its path in the data mirror, a key of ``geo/registry.txt``)."""
HSDS_VERSION = "3.0.0"
"""The HSDS release of :data:`SCHEMA_FILE`."""


@cache
def schema(strict: bool = False) -> dict[str, Any]:
    """Return the HSDS 3.0 tabular schema; with `strict`, every object closed (``additionalProperties: false``)."""
    loaded = json.loads(sources.fetch(SCHEMA_FILE).read_text(encoding="utf-8"))
    return _closed(copy.deepcopy(loaded)) if strict else loaded


def available() -> bool:
    """Whether the pinned schema can be read here (the data mirror has it, or it can be downloaded).

    HSDS export and import need it (every export is validated before it is written); CI's data mirror does not
    hold it yet, so the tests that need it say so and are skipped there (see ``tests/directory/test_hsds.py``).
    """
    try:
        schema()
    except DataUnavailableError:
        return False
    return True


def _closed(node: Any) -> Any:
    if isinstance(node, dict):
        if node.get("type") == "object" and "properties" in node:
            node["additionalProperties"] = False
        for value in node.values():
            _closed(value)
    elif isinstance(node, list):
        for value in node:
            _closed(value)
    return node


@cache
def _validator(strict: bool) -> jsonschema.protocols.Validator:
    import jsonschema  # on first use: an import of directory.io need not load it

    checked = schema(strict)
    return jsonschema.Draft202012Validator(checked, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def tables() -> tuple[str, ...]:
    """Return the names of the HSDS tables, in the schema's order."""
    return tuple(schema()["properties"])


def problems(document: object, strict: bool = False) -> list[RowError]:
    """Return every way `document` breaks the HSDS 3.0 schema, as RowErrors (none: it is valid).

    An error's ``row`` is the object's place in its table, from 1 (0 for the document itself), its ``field``
    ``table.member`` (``service.status``), its ``value`` the value found (cut short).
    """
    errors = [_row_error(error) for error in _validator(strict).iter_errors(document)]
    if isinstance(document, dict):
        errors += list(_table_rules(document))
    return sorted(errors, key=lambda error: (error.field.split(".")[0], error.row))


def _row_error(error: jsonschema.ValidationError) -> RowError:
    path = list(error.absolute_path)
    table = str(path[0]) if path else "document"
    row = int(path[1]) + 1 if len(path) > 1 and isinstance(path[1], int) else 0
    members = [str(part) for part in path[2:]]
    value = error.instance
    if error.validator in ("required", "additionalProperties") and isinstance(value, dict):
        named = _named_member(error, value)
        members, value = [*members, named], value.get(named)
    field = ".".join([table, *members])
    if isinstance(value, dict | list):
        value = cut(json.dumps(value, ensure_ascii=False, default=str))
    return RowError(row, field, value, error.message)


def _named_member(error: jsonschema.ValidationError, instance: dict[str, Any]) -> str:
    """Return the member a ``required`` error misses, or the first one an ``additionalProperties`` error refuses."""
    if error.validator == "required":
        return next(str(m) for m in error.validator_value if m not in instance)
    allowed = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
    return next(str(m) for m in instance if m not in allowed)


def _table_rules(document: dict[str, Any]) -> Iterator[RowError]:
    """Yield the breaches of ``tabular_required`` and of unique ids, table by table."""
    definitions = schema()["properties"]
    for table, rows in document.items():
        if table not in definitions or not isinstance(rows, list):
            continue
        required = definitions[table]["items"].get("tabular_required", [])
        seen: dict[object, int] = {}
        for row, item in enumerate(rows, start=1):
            if not isinstance(item, dict):
                continue
            for member in required:
                if item.get(member) in (None, ""):
                    message = f"is required in a tabular {table} (HSDS tabular_required: {required})."
                    yield RowError(row, f"{table}.{member}", item.get(member), message)
            identifier = item.get("id")
            if identifier in seen:
                yield RowError(row, f"{table}.id", identifier, f"repeats the id of {table} row {seen[identifier]}.")
            seen.setdefault(identifier, row)
