"""The referral page: where the victim is, what she needs, and the ranked agencies with a map.

``GET /referral`` without ``at`` shows the form. The form is sent with ``POST`` (with
its CSRF token), so the victim's whereabouts stay out of the address bar, the browser
history, proxy logs and ``Referer`` headers; ``GET /referral?at=...&needs=...`` answers
the same for links and bookmarks. Either way the page shows the answer of
:meth:`routing.referral.Referrer.refer` (the same cached referrer as the JSON API) and
:func:`webmap.referral.referral_map` in an ``iframe srcdoc`` (one computation per request;
the map document is escaped into the attribute like any other text). Bad input renders
the form again with the message (field and value) and status 400.

The page does the work of ``/api/v1/referrals`` and draws a map, so it shares that route's rate limit
(``settings.referral_rate_limit``, one count per address or account: :data:`service.api.routes.referral_limit`);
beyond it the answer is 429 with ``Retry-After``, as the error page in the visitor's language.

Texts of the answer that come from the routing code in English (escalation reasons,
notes) are rebuilt here from the answer's data in the chosen language.
"""

from __future__ import annotations

from flask import Blueprint, Response, request

from core import settings
from core.errors import InputError, NotFoundError
from directory import capabilities
from geo import gazetteer
from routing.questions import parse_day, parse_hours, parse_k
from service.api.common import referrer
from service.api.routes import referral_limit
from service.pages.common import authorised, lang, page, t
from webmap import assets
from webmap.referral import referral_map

KNOWN_NOTES: dict[str, str] = {
    "Cross-border agencies without an agreement are left out (setting).": "note_cross_border_excluded",
    "Travel times marked is_estimate are estimates from the national network.": "note_estimates",
}
"""Notes of :class:`routing.referral.Referral` in English -> their page string (others are shown as they are)."""


def _form() -> dict[str, object]:
    """Return the form's values as the visitor gave them (to fill the form again): POST body or query."""
    values = request.form if request.method == "POST" else request.args
    needs = [n for value in values.getlist("needs") for n in value.split(",") if n.strip()]
    return {
        "at": values.get("at", ""),
        "needs": needs,
        "max_time": values.get("max_time", ""),
        "on": values.get("on", ""),
        "k": values.get("k", ""),
        "home": values.get("home", ""),
        "modes": values.get("modes", ""),
    }


def _escalation(item: dict, offered: set[str]) -> dict:
    """Return one escalation entry with its reason in the page language."""
    need = capabilities.labels("capability", lang()).get(item["need"], item["need"])
    if item.get("agency") is not None:
        reason = t("escalation_next_tier", need=need, tier=t(f"tier_{item['tier']}"))
    elif item["need"] in offered:
        reason = t("escalation_unreachable", need=need)
    else:
        reason = t("escalation_no_provider", need=need)
    return {**item, "need_label": need, "reason_text": reason}


def _suggestions(problem: Exception) -> list[gazetteer.Place]:
    """Return the places the visitor may have meant when the place was ambiguous or unknown."""
    value = getattr(problem, "value", None)
    if getattr(problem, "field", None) != "at" or not isinstance(value, str) or not value.strip():
        return []
    try:
        return gazetteer.find(value, limit=8)
    except InputError:
        return []


def _notes(answer: dict) -> list[str]:
    """Return the notes of a referral in the page language, rebuilt from the answer's data."""
    shown = []
    for note in answer["notes"]:
        if note in KNOWN_NOTES:
            shown.append(t(KNOWN_NOTES[note]))
        elif note.startswith("No single agency"):
            needs = ", ".join(capabilities.labels("capability", lang()).get(n, n) for n in answer["needs"])
            best = answer.get("best_set")
            shown.append(
                t("note_no_single_set", needs=needs, stops=best["stops"])
                if best
                else t("note_no_single_none", needs=needs)
            )
        elif " is a province: " in note:
            shown.append(t("note_province_origin", place=answer["origin"]["label"]))
        else:
            shown.append(note)
    return shown


def _answer(form: dict) -> dict:
    """Return the referral for the form as JSON-ready data, with page texts and the rendered map."""
    if not form["needs"]:
        raise InputError("needs", "", t("error_no_needs"))
    the_referrer = referrer()
    referral = the_referrer.refer(
        str(form["at"]),
        form["needs"],
        k=parse_k(form["k"]),
        max_time_h=parse_hours(form["max_time"]),
        on=parse_day(form["on"]),
        authorised=authorised(),
        modes=str(form["modes"]) or None,
        home=str(form["home"]).strip() or None,
    )
    answer = referral.as_dict()
    offered = set().union(*the_referrer.provides) if the_referrer.provides else set()
    answer["escalation"] = [_escalation(item, offered) for item in answer["escalation"]]
    answer["notes"] = _notes(answer)
    answer["map_html"] = assets.render(referral_map(referral.as_dict(), lang()))
    return answer


def register(bp: Blueprint) -> None:
    """Add the referral route to the pages blueprint `bp`."""

    @bp.route("/referral", methods=["GET", "POST"])
    @referral_limit
    def referral() -> Response:
        form = _form()
        answer, error, status, candidates = None, None, 200, []
        if form["at"] or form["needs"] or request.method == "POST":
            try:
                if not str(form["at"]).strip():
                    raise InputError("at", form["at"], t("error_no_place"))
                answer = _answer(form)
            except (InputError, NotFoundError) as problem:  # an unknown area code: 404, shown in the form
                error, status = problem, 400 if isinstance(problem, InputError) else 404
                candidates = _suggestions(problem)
        return page(
            "referral.html",
            status,
            form=form,
            answer=answer,
            error=error,
            candidates=candidates,
            tile_url=settings.tile_url,
            tile_attribution=settings.tile_attribution,
            leaflet_js=assets.resource_url("leaflet"),
            leaflet_css=assets.resource_url("leaflet_css"),
        )
