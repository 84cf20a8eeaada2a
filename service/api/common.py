"""What every JSON API module shares: the engine, input parsing, JSON errors and the cached referrer.

Input comes from the query string (GET) or a JSON body (POST, PUT, PATCH) and is read
through :func:`param`, so both give the same errors: a 400 naming the field and the
value. The error handlers of :func:`register_errors` turn Rujuk's errors into JSON for
every ``/api/`` path: 400 bad input, 404 unknown id or code, 422 rejected rows; an
unexpected error is logged and answered with a 500 that says nothing of its cause.
Every 400 and 404 carries ``field`` and ``value`` (a 404 raised through :func:`looked_up`
names the request's parameter; the route-less 404 names ``path``), and a value longer than
:data:`SHOWN_CHARS` characters is echoed cut, in ``value`` and in the message alike. A JSON
body nested deeper than :data:`MAX_JSON_DEPTH` and a parameter holding a control character
are refused (400) before any work.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, overload

import numpy as np
from flask import Flask, Response, current_app, g, jsonify, request
from flask_wtf.csrf import CSRFError
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import Conflict, HTTPException, InternalServerError

from core.errors import SHOWN_CHARS, ImportRejectedError, InputError, NotFoundError, RujukError
from geo import boundaries
from routing import engine as routing_engine
from store import version
from webmap.maps import API  # where the maps fetch their data: the API's prefix has one home

GEOJSON = "application/geo+json"
"""Longest value echoed in an error; a longer one is cut to this many characters and "…"."""
MAX_JSON_DEPTH = 32
"""Deepest nesting of arrays and objects in a JSON body (Python's parser recurses: 5,000 levels exhaust it)."""
_JSON_STRINGS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
"""Control characters refused in parameters (tab, line feed and carriage return are let through)."""
log = logging.getLogger(__name__)


class ParameterNotFoundError(NotFoundError):
    """A request parameter (or path part) names nothing; ``field`` and ``value`` say which and what."""

    def __init__(self, field: str, value: object, message: str) -> None:
        super().__init__(message, field=field, value=value)


def engine() -> Engine:
    """Return the database engine of the running app."""
    return current_app.config["RUJUK_ENGINE"]


_VERSION_KEY = "rujuk_data_version"


def data_version() -> str:
    """Return the data version of the app's database (:func:`store.version.data_version`), read once per request.

    The ETag of a map (:mod:`service.etags`) and the key of a kept answer (:mod:`service.api.cache`) of one
    request are the same version, read when the first of them asks; the next request reads it again, so a
    write by another worker or the command line is seen then. :func:`forget_data_version` drops it (a write).
    """
    found = g.get(_VERSION_KEY)
    if found is None:
        found = version.data_version(engine())
        setattr(g, _VERSION_KEY, found)
    return found


def forget_data_version() -> None:
    """Drop the version read by this request (:func:`data_version`): the request has changed the data."""
    g.pop(_VERSION_KEY, None)


def is_api() -> bool:
    """Return True when the current request is for the JSON API."""
    return request.path == API or request.path.startswith(API + "/")


def json_error(status: int, message: str, **details: Any) -> tuple[Response, int]:
    """Return the JSON error answer ``{"error": {"status", "message", ...details}}`` and its status."""
    return jsonify({"error": {"status": status, "message": message, **details}}), status


def register_errors(app: Flask, page: Callable[[HTTPException], Any] | None = None) -> None:
    """Answer errors on ``/api/`` paths as JSON naming the field and the value; never a bare 500.

    Parameters
    ----------
    app
        The application.
    page
        Renders an HTTP error outside the API (an unknown URL, a wrong method, a refused
        CSRF token) as a page in the visitor's language; None: Werkzeug's own page.
    """

    @app.errorhandler(InputError)
    def _bad_input(error: InputError):
        return json_error(400, _cut(str(error), error.value), field=error.field, value=_shown(error.value))

    @app.errorhandler(ImportRejectedError)
    def _rejected(error: ImportRejectedError):
        return json_error(422, str(error).splitlines()[0], rows=[_row(e.as_dict()) for e in error.errors])

    @app.errorhandler(NotFoundError)
    def _not_found(error: NotFoundError):
        field, value = getattr(error, "field", None), getattr(error, "value", None)
        if field is None and (named := re.match(r"`([^`]+)` was ", str(error))):
            field = named[1]  # raised outside looked_up(): at least the field its message names
        return json_error(404, _cut(str(error), value), field=field, value=_shown(value))

    @app.errorhandler(IntegrityError)
    def _conflict(error: IntegrityError):
        # two writes of one new id at the same moment: the database kept the first
        log.warning("Write conflict on %s %s", request.method, request.path)  # no values: they may be personal
        message = "Another request wrote a record with the same id at the same time; read it and try again."
        if not is_api():
            return page(Conflict(message)) if page is not None else Conflict(message)
        return json_error(409, message, field="id")

    @app.errorhandler(RujukError)
    def _rujuk_error(error: RujukError):
        return json_error(503, str(error))

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        if not is_api():
            return page(error) if page is not None else error
        details: dict[str, object] = {"field": "X-CSRFToken"} if isinstance(error, CSRFError) else {}
        if error.code == 404:  # no such route
            details = {"field": "path", "value": _shown(request.path)}
        answer, status = json_error(error.code or 500, error.description or error.name, **details)
        answer.headers.update({k: v for k, v in error.get_headers() if k in ("WWW-Authenticate", "Allow")})
        return answer, status

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        log.exception("Unexpected error on %s %s", request.method, request.path)  # no query string, no body
        if not is_api():
            return page(InternalServerError()) if page is not None else InternalServerError()
        return json_error(500, "Internal error; it was logged. Please report what you asked for.")


def _shown(value: object) -> object:
    """Return `value` as an error echoes it: a number, true/false or null as is, else text cut to SHOWN_CHARS."""
    if isinstance(value, int | float | bool) or value is None:
        return value
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "…"


def _cut(message: str, value: object) -> str:
    """Return `message` with a long `value` (as its repr and as text, also stripped of spaces) cut as :func:`_shown`."""
    if isinstance(value, bytes | bytearray):
        value = bytes(value).decode("utf-8", "replace")
    if not isinstance(value, str):
        value = str(value)
    for form in dict.fromkeys((value, value.strip())):
        shown = _shown(form)
        if shown != form:
            message = message.replace(repr(form), repr(shown)).replace(form, str(shown))
    return message


def _row(error: dict[str, object]) -> dict[str, object]:
    return {**error, "value": _shown(error["value"])}


def body() -> Any:
    """Return the request's JSON body (None when it has none).

    Raises
    ------
    InputError
        If the body is not valid JSON.
    """
    data = request.get_data(cache=True)
    if not data:
        return None
    try:
        text = data.decode(json.detect_encoding(data))
        deep = _json_depth(text) > MAX_JSON_DEPTH
        parsed = None if deep else json.loads(text)
    except (ValueError, UnicodeDecodeError):
        message = "is expected to be JSON (Content-Type application/json)."
        raise InputError("body", _shown(data[: SHOWN_CHARS * 4]), message) from None
    if deep:
        message = f"is nested deeper than {MAX_JSON_DEPTH} arrays or objects; no request of this API needs that."
        raise InputError("body", _shown(data[: SHOWN_CHARS * 4]), message)
    return parsed


def _json_depth(text: str) -> int:
    """Return the deepest nesting of brackets in JSON `text`, outside strings, without recursing."""
    codes = np.frombuffer(_JSON_STRINGS.sub('""', text).encode("utf-8"), dtype=np.uint8)
    steps = ((codes == ord("[")) | (codes == ord("{"))).astype(np.int32) - ((codes == ord("]")) | (codes == ord("}")))
    return int(np.cumsum(steps).max(initial=0))


def json_object() -> dict[str, Any]:
    """Return the request's JSON body, which must be an object."""
    data = body()
    if not isinstance(data, dict):
        raise InputError("body", _shown(data), "is expected to be a JSON object.")
    return data


def source() -> Mapping[str, Any]:
    """Return where the parameters of this request are: the JSON object body (POST) or the query string."""
    return json_object() if request.method in ("POST", "PUT", "PATCH") and body() is not None else request.args


@overload
def param(name: str, allowed: tuple[str, ...] | None, default: str) -> str: ...


@overload
def param(name: str, allowed: tuple[str, ...] | None = None, default: None = None) -> str | None: ...


def param(name: str, allowed: tuple[str, ...] | None = None, default: str | None = None) -> str | None:
    """Return parameter `name` as text (a JSON list is joined with commas), checked against `allowed`.

    `default` when it is absent or null.

    Raises
    ------
    InputError
        If the value is not text, a number or a list of texts, or not in `allowed`.
    """
    value = source().get(name)
    if value is None:
        value = default
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        value = ",".join(value)
    elif isinstance(value, bool) or not (value is None or isinstance(value, str | int | float)):
        raise InputError(name, _shown(value), "is expected to be text, a number or a list of texts.")
    value = None if value is None else str(value)
    if value is not None and _CONTROL.search(value):
        raise InputError(name, value, "holds a control character; it is expected to be printable text.")
    if value is not None and allowed is not None and value not in allowed:
        raise InputError(name, value, f"is expected to be one of {list(allowed)}.")
    return value


def has_control_character(value: str) -> bool:
    """Whether `value` holds a control character (no stored id does; PostgreSQL cannot even compare a NUL)."""
    return _CONTROL.search(value) is not None


def int_param(name: str, default: int, low: int, high: int) -> int:
    """Return parameter `name` as a whole number from `low` to `high` (`default` when absent)."""
    value = param(name)
    if value is None:
        return default
    number = int(value) if re.fullmatch(r"\s*[+-]?[0-9]{1,9}\s*", value) else None
    if number is None or not low <= number <= high:
        raise InputError(name, value, f"is expected to be a whole number from {low} to {high}.")
    return number


def flag_param(name: str, default: bool = False) -> bool:
    """Return parameter `name` as a boolean: ``true``/``1``/``yes`` or ``false``/``0``/``no`` (absent: `default`)."""
    value = param(name)
    if value is None:
        return default
    if value.strip().lower() not in {"true", "1", "yes", "false", "0", "no"}:
        raise InputError(name, value, "is expected to be true or false.")
    return value.strip().lower() in {"true", "1", "yes"}


def renamed(error: InputError, field: str, value: object) -> InputError:
    """Return `error` as an error about request parameter `field` given as `value`, with the same reason."""
    return InputError(field, value, error.reason)


@contextmanager
def looked_up(field: str, value: object) -> Iterator[None]:
    """Report an unknown or malformed code met inside the block as request parameter `field` given as `value`.

    Raises
    ------
    ParameterNotFoundError
        For a NotFoundError in the block (404, the message lists close matches).
    InputError
        For an InputError in the block, renamed to `field` (400).
    """
    try:
        yield
    except ParameterNotFoundError:
        raise
    except NotFoundError as error:
        raise ParameterNotFoundError(field, value, str(error)) from None
    except InputError as error:
        raise renamed(error, field, value) from None


def area_param(name: str, country: str | None = None) -> str | None:
    """Return parameter `name` as a known area code (None when absent); `country` is also accepted as is.

    Raises
    ------
    ParameterNotFoundError
        If no area has that code (the message lists close codes).
    InputError
        If the value is not shaped like an area code.
    """
    code = param(name)
    if code is not None and code != country:
        with looked_up(name, code):
            boundaries.area(code, field=name)
    return code


def inside(code: str, area: str) -> bool:
    """Return True if area `code` is `area` or lies inside it (dotted Kemendagri codes)."""
    return code == area or code.startswith(area + ".")


def geojson(payload: str | dict) -> Response:
    """Return GeoJSON text or data as an ``application/geo+json`` answer."""
    text = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
    return Response(text, mimetype=GEOJSON)


def referrer():
    """Return the referral engine of the app's database (:func:`routing.engine.referrer`: rebuilt on every change)."""
    return routing_engine.referrer(engine())
