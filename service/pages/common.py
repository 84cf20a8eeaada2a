"""What every HTML page shares: the language, the signed-in role, formatting, rendering and error pages.

The language is Bahasa Indonesia unless the visitor chose English: ``?lang=en`` (or
``?lang=id``) on any page is remembered in the session; Flask-Babel's locale selector makes that
choice. Templates get :func:`t` (the page strings of :mod:`service.pages.strings`, translated by
Flask-Babel's gettext in that language), ``lang``, the vocabulary labels, the
signed-in user and role, and the filters ``hm`` (hours as ``h:mm``) and ``num``
(a number with the decimal mark of the language).

Every text reaches the page through Jinja with autoescape on; nothing from data or from
the visitor is marked safe.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from babel.support import Translations
from flask import Blueprint, Response, current_app, make_response, render_template, request, session, url_for
from flask.blueprints import BlueprintSetupState
from flask_babel import Babel, Domain, get_locale
from flask_babel import gettext as babel_gettext
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from accounts.users import role_at_least
from core import catalogs
from core.errors import ImportRejectedError, InputError, NotFoundError, RujukError
from core.values import is_missing
from directory import capabilities
from geo import boundaries
from routing.jurisdiction import STATUS_LABELS
from routing.travel import format_hours
from service.auth import current_role, current_user
from service.pages.strings import DEFAULT_LANGUAGE, DOMAIN, LANGUAGES, STRINGS, TRANSLATIONS_DIR
from webmap.i18n import legs_line, translate

SESSION_KEY = "lang"
PRIVATE_QUERY_ENDPOINTS: frozenset[str] = frozenset({"pages.referral"})
"""Pages whose query may say where a victim is and what she needs (``at``, ``needs``, ...): the links they draw
(language switch, sign-in) carry none of their query."""


class CatalogDomain(Domain):
    """Flask-Babel's domain of the pages, its translations compiled in memory from the ``.po`` catalogs.

    Flask-Babel would load compiled ``.mo`` files; reading the ``.po`` (:mod:`core.catalogs`) lets
    a fresh clone and the installed wheel translate with no build step.
    """

    def get_translations(self) -> Translations:
        """Return the translations of the language of this request."""
        return catalogs.translations(TRANSLATIONS_DIR, DOMAIN, lang())


def lang() -> str:
    """Return the language of this request (Flask-Babel's locale): ``"id"`` (default) or ``"en"``."""
    if "babel" not in current_app.extensions:  # an app without the pages
        return DEFAULT_LANGUAGE
    locale = str(get_locale() or DEFAULT_LANGUAGE)
    return locale if locale in LANGUAGES else DEFAULT_LANGUAGE


def t(key: str, **values: object) -> str:
    """Return the page string `key` in the language of this request (gettext), ``{placeholders}`` filled.

    Raises
    ------
    KeyError
        If the catalogs have no such key (the message lists close keys).
    """
    if key not in STRINGS[lang()]:
        return translate(STRINGS, key, lang())  # raises the KeyError that names close keys
    text = babel_gettext(key)
    return text.format(**values) if values else text


def role() -> str:
    """Return the role of the visitor (``"public"`` when not signed in)."""
    return current_role() or "public"


def has_role(minimum: str) -> bool:
    """Return True if the visitor has role `minimum` or a higher one."""
    return role_at_least(role(), minimum)


def authorised() -> bool:
    """Return True if the visitor may see confidential locations (a caseworker or higher)."""
    return has_role("caseworker")


def number(value: float | None, decimals: int = 1) -> str:
    """Return a number with `decimals` decimals and the decimal mark of the language (``12,5`` in id)."""
    if value is None or is_missing(value):
        return "–"
    text = f"{float(value):,.{decimals}f}"
    return text.translate(str.maketrans(",.", ".,")) if lang() == "id" else text


@cache
def _area_names(level: str) -> dict[str, str]:
    areas = boundaries.load_areas(level)
    return dict(zip(areas["code"], areas["name"], strict=True))


def area_name(code: str | None) -> str:
    """Return the name of a province, regency or district code ("" when unknown)."""
    if not code:
        return ""
    try:
        return _area_names(boundaries.level_of_code(code)).get(code, "")
    except (InputError, NotFoundError):
        return ""


def url_with(**changes: object) -> str:
    """Return the URL of this page with some query parameters changed (None removes one).

    On a page of :data:`PRIVATE_QUERY_ENDPOINTS` only the `changes` are kept: its own query stays out of links.
    """
    private = request.endpoint in PRIVATE_QUERY_ENDPOINTS
    args: dict[str, Any] = {} if private else {key: request.args.getlist(key) for key in request.args}
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = [str(value)]
    return url_for(request.endpoint or "pages.home", **(request.view_args or {}), **args)


def return_path() -> str:
    """Return where to come back to after signing in: this page's path and query.

    Only its path on a page of :data:`PRIVATE_QUERY_ENDPOINTS`.
    """
    if request.endpoint in PRIVATE_QUERY_ENDPOINTS:
        return request.path
    return request.full_path.rstrip("?")


def page(template: str, http_status: int = 200, **context: Any) -> Response:
    """Render `template` with `context` and return it with `http_status`."""
    return make_response(render_template(template, **context), http_status)


def error_page(
    status: int, message: str, field: str | None = None, value: object = None, rows: list[dict] | None = None
) -> Response:
    """Return the error page: what went wrong, the field and the value (the visitor's text, escaped)."""
    return page("error.html", status, status=status, message=message, field=field, value=value, rows=rows or [])


def error_detail(error: Exception) -> dict[str, str]:
    """Return what went wrong as ``{"text", "lang"}``: the reason of an :class:`InputError` without its frame.

    Reasons written by the pages are page strings in the visitor's language; those from
    the data layer are English, and say so (``lang="en"`` and a note in Bahasa Indonesia).
    """
    text = str(getattr(error, "reason", None) or error)
    own = any(text.startswith(known.split("{")[0]) for known in STRINGS[lang()].values() if len(known) > 8)
    return {"text": text, "lang": lang() if own or lang() == "en" else "en"}


def _select_language() -> str:
    """Flask-Babel's locale selector: ``?lang=`` (remembered in the session), else the session's, else ``id``."""
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        session[SESSION_KEY] = asked
        return asked
    chosen = session.get(SESSION_KEY)
    return chosen if chosen in LANGUAGES else DEFAULT_LANGUAGE


def _choose_language() -> None:
    get_locale()  # selected before any other check of the request, and remembered even if nothing is translated


def _init_babel(state: BlueprintSetupState) -> None:
    babel = Babel(
        state.app,
        configure_jinja=False,  # the templates translate with t(); Jinja's own i18n extension stays out
        default_locale=DEFAULT_LANGUAGE,
        default_domain=DOMAIN,
        default_translation_directories=TRANSLATIONS_DIR,
        locale_selector=_select_language,
    )
    babel.domain_instance = CatalogDomain(TRANSLATIONS_DIR, DOMAIN)


def _current_user() -> object:
    return current_user()


def _context() -> dict[str, Any]:
    return {
        "t": t,
        "lang": lang(),
        "other_lang": "en" if lang() == "id" else "id",
        "url_with": url_with,
        "return_path": return_path,
        "user": _current_user(),
        "role": role(),
        "is_caseworker": authorised(),
        "is_editor": has_role("editor"),
        "cap_labels": capabilities.labels("capability", lang()),
        "type_labels": capabilities.labels("agency_type", lang()),
        "level_labels": capabilities.labels("jurisdiction_level", lang()),
        "precision_labels": capabilities.labels("location_precision", lang()),
        "status_labels": STATUS_LABELS,
        "area_name": area_name,
        "error_detail": error_detail,
    }


def install(bp: Blueprint) -> None:
    """Give blueprint `bp` HTML error pages, and every template the language choice and the page context.

    The context is app-wide so that the sign-in form of :mod:`service.auth` (``login.html``)
    is a page like the others.
    """
    bp.record_once(_init_babel)
    bp.before_app_request(_choose_language)
    bp.app_context_processor(_context)
    bp.add_app_template_filter(format_hours, "hm")
    bp.add_app_template_filter(number, "num")
    bp.add_app_template_filter(lambda legs: legs_line(legs, lang()), "legs")

    @bp.errorhandler(InputError)
    def _bad_input(error: InputError):
        return error_page(400, str(error), error.field, error.value)

    @bp.errorhandler(ImportRejectedError)
    def _rejected(error: ImportRejectedError):
        return error_page(422, str(error).splitlines()[0], rows=[e.as_dict() for e in error.errors])

    @bp.errorhandler(NotFoundError)
    def _not_found(error: NotFoundError):
        return error_page(404, str(error))

    @bp.errorhandler(RujukError)
    def _unavailable(error: RujukError):
        return error_page(503, str(error))

    @bp.errorhandler(HTTPException)
    def _http(error: HTTPException):
        return http_error_page(error)


def http_error_page(error: HTTPException) -> Response | HTTPException:
    """Return the error page of an HTTP error in the visitor's language (a redirect passes through)."""
    if error.code and 300 <= error.code < 400:
        return error
    key = "http_400_csrf" if isinstance(error, CSRFError) else f"http_{error.code}"
    message = t(key) if key in STRINGS[lang()] else (error.description or error.name)
    answer = error_page(error.code or 500, message)
    answer.headers.update({k: v for k, v in error.get_headers() if k in ("WWW-Authenticate", "Allow")})
    return answer
