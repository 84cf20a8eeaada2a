"""The JSON API under /api/v1: thin routes that parse input, call one function and return JSON or GeoJSON."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from markupsafe import escape
from sqlalchemy import Engine
from werkzeug.exceptions import HTTPException

from geo import boundaries, capabilities, cases, db, directory_io, gazetteer, settings
from geo._errors import ImportRejectedError, InputError, NotFoundError, RujukError

API = "/api/v1"
bp = Blueprint("api", __name__)


def _engine() -> Engine:
    return current_app.config["RUJUK_ENGINE"]


def _error(status: int, message: str, **details: Any) -> tuple[Response, int]:
    return jsonify({"error": {"status": status, "message": message, **details}}), status


def register_errors(app: Any) -> None:
    """Make every error a JSON answer that names the field and the value: 4xx for bad input, never a bare 500."""
    @app.errorhandler(InputError)
    def _bad_input(error: InputError):  # type: ignore[no-untyped-def]
        return _error(400, str(error), field=error.field, value=str(error.value))

    @app.errorhandler(ImportRejectedError)
    def _rejected(error: ImportRejectedError):  # type: ignore[no-untyped-def]
        return _error(422, str(error).splitlines()[0], rows=[e.as_dict() for e in error.errors])

    @app.errorhandler(NotFoundError)
    def _not_found(error: NotFoundError):  # type: ignore[no-untyped-def]
        return _error(404, str(error))

    @app.errorhandler(RujukError)
    def _rujuk_error(error: RujukError):  # type: ignore[no-untyped-def]
        return _error(503, str(error))

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):  # type: ignore[no-untyped-def]
        return _error(error.code or 500, error.description or error.name)


def _query(name: str, allowed: tuple[str, ...] | None = None, default: str | None = None) -> str | None:
    value = request.args.get(name, default)
    if value is not None and allowed is not None and value not in allowed:
        raise InputError(name, value, f"is expected to be one of {list(allowed)}.")
    return value


def _routes(app: Blueprint) -> None:
    @app.get("/")
    def home() -> str:
        links = "".join(
            f'<li><a href="{escape(path)}">{escape(path)}</a> — {escape(text)}</li>'
            for path, text in [
                (f"{API}/health", "status / status layanan"),
                (f"{API}/areas?level=province", "provinces as GeoJSON / provinsi"),
                (f"{API}/agencies", "public service directory / direktori layanan"),
                (f"{API}/agreements", "cooperation agreements / perjanjian kerja sama"),
                (f"{API}/cases", "aggregate case figures, small counts suppressed / angka kasus agregat"),
                (f"{API}/places?q=Tenggarong", "gazetteer / pencarian tempat"),
            ]
        )
        return (
            '<!doctype html><html lang="id"><head><meta charset="utf-8"><title>Rujuk</title></head><body>'
            "<h1>Rujuk</h1><p>Layanan rujukan korban TPPO / Referral service for victims of trafficking.</p>"
            f"<ul>{links}</ul></body></html>"
        )

    @app.get(f"{API}/health")
    def health():  # type: ignore[no-untyped-def]
        return jsonify({"status": "ok", "schema_version": db.SCHEMA_VERSION, "suppress_below": settings.suppress_below})

    @app.get(f"{API}/areas")
    def areas():  # type: ignore[no-untyped-def]
        level = _query("level", boundaries.LEVELS, "province")
        path = boundaries.web_geojson_path(level)
        within = _query("within")
        if within is None:
            return Response(path.read_bytes(), mimetype="application/geo+json")
        boundaries.area(within)  # raises NotFoundError for an unknown code
        collection = json.loads(path.read_text(encoding="utf-8"))
        collection["features"] = [f for f in collection["features"] if _inside(f["properties"]["code"], within)]
        return Response(json.dumps(collection, ensure_ascii=False), mimetype="application/geo+json")

    @app.get(f"{API}/agencies")
    def agencies():  # type: ignore[no-untyped-def]
        text = directory_io.export_agencies(_engine(), None, fmt="geojson", public=True)
        capability, area = _query("capability"), _query("area")
        if capability is None and area is None:
            return Response(text, mimetype="application/geo+json")
        if capability is not None:
            capabilities.check("capability", capability)
        if area is not None:
            boundaries.area(area)
        collection = json.loads(text)
        collection["features"] = [
            feature
            for feature in collection["features"]
            if (capability is None or capability in feature["properties"]["capabilities"])
            and (area is None or _inside(feature["properties"]["area_code"], area))
        ]
        return Response(json.dumps(collection, ensure_ascii=False), mimetype="application/geo+json")

    @app.get(f"{API}/agreements")
    def agreements():  # type: ignore[no-untyped-def]
        text = directory_io.export_agreements(_engine(), None, fmt="geojson")
        return Response(text, mimetype="application/geo+json")

    @app.get(f"{API}/cases")
    def case_figures():  # type: ignore[no-untyped-def]
        level = _query("level", cases.LEVELS)
        area = _query("area")
        frame = cases.public_figures(_engine(), area_code=area, measure=_query("measure"), level=level)
        records = json.loads(frame.to_json(orient="records", date_format="iso", force_ascii=False))
        return jsonify({"suppress_below": settings.suppress_below, "figures": records})

    @app.get(f"{API}/places")
    def places():  # type: ignore[no-untyped-def]
        query = _query("q")
        if not query:
            raise InputError("q", query, "is required: a place name such as Tenggarong.")
        level = _query("level", gazetteer.LEVELS)
        limit = _int_query("limit", 20, 1, 200)
        return jsonify([asdict(place) for place in gazetteer.find(query, level=level, limit=limit)])

    @app.get(f"{API}/referrals")
    def referrals():  # type: ignore[no-untyped-def]
        from routing.referral import parse_hours

        at, needs = _query("at"), _query("needs")
        if not at:
            raise InputError("at", at, "is required: a place name, an area code or LAT,LON.")
        if not needs:
            raise InputError("needs", needs, "is required: capability codes such as shelter,psychological.")
        on = _query("on")
        try:
            day = dt.date.fromisoformat(on) if on else None
        except ValueError:
            raise InputError("on", on, "is expected to be a date YYYY-MM-DD.") from None
        referral = _referrer().refer(
            at, needs, k=_int_query("k", 10, 1, 100), max_time_h=parse_hours(_query("max_time")), on=day
        )
        return jsonify(referral.as_dict())


def _int_query(name: str, default: int, low: int, high: int) -> int:
    value = request.args.get(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        number = None
    if number is None or not low <= number <= high:
        raise InputError(name, value, f"is expected to be a whole number from {low} to {high}.")
    return number


def _inside(code: str, area: str) -> bool:
    return code == area or code.startswith(area + ".")


def _referrer():  # type: ignore[no-untyped-def]
    from routing.referral import Referrer

    if "RUJUK_REFERRER" not in current_app.config:
        current_app.config["RUJUK_REFERRER"] = Referrer.from_engine(_engine())
    return current_app.config["RUJUK_REFERRER"]


_routes(bp)
