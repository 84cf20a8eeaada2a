"""The service directory: who can help victims, where, with what, and under which agreements.

The tables follow the Open Referral HSDS idea: an :class:`Organization` (a legal
body such as LPSK or Polri) runs :class:`ServiceLocation` units ("agencies", the
routable unit: one office at one point serving one area), each offering
:class:`Service` rows, one per capability code of :mod:`directory.capabilities`. An
:class:`Agreement` between two areas (regency-regency or province-province) widens
the area of each one's units to the other for the capabilities it covers.

Agencies are never deleted: :func:`retire_agency` sets ``retired_on``, and a retired
agency leaves the active lists from that day on. The location of a ``confidential``
agency (a safe house) never leaves the server unredacted: every export and the API
pass agency rows through :func:`public_view`, the one place of that rule.

Every organization, agency and agreement carries a ``version`` (1 when created), raised by one on every write:
SQLAlchemy's ``version_id_col`` makes each UPDATE and DELETE a compare-and-swap (``... WHERE id = ? AND version = ?``),
so a write based on an older version fails with :class:`StaleRecordError` instead of overwriting a newer one.
:func:`check_version` compares a version a caller read with the stored one; :func:`stale_writes` turns SQLAlchemy's
``StaleDataError`` (a concurrent write won the race) into :class:`StaleRecordError`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from difflib import get_close_matches
from functools import cache

import geopandas as gpd
import numpy as np
import pandas as pd
from sqlalchemy import (
    JSON,
    Boolean,
    ColumnElement,
    Date,
    Engine,
    Float,
    ForeignKey,
    Integer,
    SQLColumnExpression,
    String,
    Text,
    and_,
    not_,
    or_,
    select,
    text,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship, selectinload
from sqlalchemy.orm.exc import StaleDataError

from core.db import Base, session_scope
from core.errors import NotFoundError, RujukError
from directory import capabilities
from geo import boundaries, lookup

AGENCY_FIELDS: tuple[str, ...] = (
    "id",
    "name",
    "organization_id",
    "organization_name",
    "agency_type",
    "jurisdiction_level",
    "area_code",
    "capabilities",
    "address",
    "lon",
    "lat",
    "location_precision",
    "confidential",
    "phone",
    "email",
    "website",
    "opening_hours",
    "languages",
    "capacity",
    "existence_confirmed",
    "verified_on",
    "retired_on",
    "source",
    "source_url",
    "notes",
    "city",
    "country",
)
"""The fields of one agency in every flat form (frames, CSV, GeoJSON properties), in this order. ``city`` and
``country`` (ISO 3166-1 alpha-2, ``ID`` when blank) come last and may be left out of a CSV file's header."""

PLACE_FIELDS: tuple[str, ...] = ("city", "country")
"""The optional columns of an agency file: a file without them holds offices in Indonesia."""
ROUTABLE_COUNTRY = "ID"
"""The country whose offices are travelled to (Indonesia); rows of other countries are missions abroad."""

AGREEMENT_FIELDS: tuple[str, ...] = (
    "id",
    "area_a",
    "area_b",
    "capabilities",
    "signed_on",
    "ended_on",
    "title",
    "source",
    "source_url",
)
"""The fields of one agreement in every flat form, in this order."""

PUBLIC_FIELDS_OF_CONFIDENTIAL: tuple[str, ...] = (
    "id",
    "name",
    "organization_id",
    "organization_name",
    "agency_type",
    "jurisdiction_level",
    "area_code",
    "capabilities",
    "lon",
    "lat",
    "location_precision",
    "confidential",
    "languages",
    "existence_confirmed",
    "verified_on",
    "retired_on",
    "source",
    "country",
)
"""The fields of a confidential agency (a safe house) the public sees: what it is, whom it serves and for which
help, never how to find or reach it (``lon``/``lat`` are replaced, see :func:`public_view`). The public reaches it
through its managing organization, named by ``organization_name``."""

REDACTED_FIELDS: tuple[str, ...] = tuple(f for f in AGENCY_FIELDS if f not in PUBLIC_FIELDS_OF_CONFIDENTIAL)
"""Fields emptied when a confidential agency is shown without authorisation: every field not in
:data:`PUBLIC_FIELDS_OF_CONFIDENTIAL` (address, phone, email, website, opening hours, capacity, source URL, notes),
so a field added later is hidden until it is judged safe. Free texts such as ``notes`` or a news ``source_url``
can say where a safe house is; its contacts and hours lead to it; its capacity says how many it shelters."""


class Organization(Base):
    """A legal body that runs one or more agencies (HSDS ``organization``)."""

    __tablename__ = "organizations"
    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    name: Mapped[str] = mapped_column(Text, nullable=False)
    website: Mapped[str | None] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, nullable=False, server_default=text("1"))

    __mapper_args__: Mapping[str, object] = {"version_id_col": version}


class ServiceLocation(Base):
    """An agency: one office at one point that serves one area (HSDS ``service_at_location``).

    ``area_code`` is the dotted Kemendagri code of the area it serves (a regency for
    ``jurisdiction_level="regency"``, a province for ``"province"``; a national agency
    gives the regency or province where it sits). Two kinds of row have no point in Indonesia and are never
    travelled to: a mission abroad (``country`` other than ``"ID"``, ``city`` given, no ``area_code``, precision
    ``abroad``, a point only if a source gives one) and a hotline (``agency_type="hotline"``, precision ``none``,
    no point; ``area_code`` may name where it is run from). ``opening_hours`` is free text,
    preferably in OSM ``opening_hours`` syntax (``Mo-Fr 08:00-16:00``); it is stored
    as given, not parsed. ``languages`` is a ``";"``-separated list of ISO 639 codes.
    """

    __tablename__ = "agencies"
    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    organization_id: Mapped[str] = mapped_column(ForeignKey("organizations.id"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(Text, nullable=False)
    agency_type: Mapped[str] = mapped_column(String(40), nullable=False)
    jurisdiction_level: Mapped[str] = mapped_column(String(20), nullable=False)
    area_code: Mapped[str | None] = mapped_column(String(13), index=True)
    address: Mapped[str | None] = mapped_column(Text)
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    location_precision: Mapped[str] = mapped_column(String(20), nullable=False)
    confidential: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    phone: Mapped[str | None] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(Text)
    opening_hours: Mapped[str | None] = mapped_column(Text)
    languages: Mapped[str | None] = mapped_column(Text)
    capacity: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(Text, nullable=False)
    source_url: Mapped[str | None] = mapped_column(Text)
    verified_on: Mapped[dt.date | None] = mapped_column(Date)
    existence_confirmed: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    retired_on: Mapped[dt.date | None] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, nullable=False, server_default=text("1"))
    city: Mapped[str | None] = mapped_column(Text)
    country: Mapped[str] = mapped_column(String(2), nullable=False, server_default=text("'ID'"), default="ID")

    __mapper_args__: Mapping[str, object] = {"version_id_col": version}

    organization: Mapped[Organization] = relationship(lazy="joined")
    services: Mapped[list[Service]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    @property
    def capabilities(self) -> list[str]:
        """The capability codes of this agency, in vocabulary order."""
        have = {service.capability for service in self.services}
        return [code for code in capabilities.CAPABILITIES if code in have]

    def is_active(self, on: dt.date | None = None) -> bool:
        """Return True unless the agency was retired on or before `on` (default today)."""
        return self.retired_on is None or self.retired_on > (on or dt.date.today())


class Service(Base):
    """One capability offered by an agency (HSDS ``service``, reduced to its code)."""

    __tablename__ = "services"
    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"), primary_key=True)
    capability: Mapped[str] = mapped_column(String(40), primary_key=True)


class Agreement(Base):
    """A cooperation agreement (PKS) between two areas of the same level, for some capabilities."""

    __tablename__ = "agreements"
    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    area_a: Mapped[str] = mapped_column(String(13), nullable=False, index=True)
    area_b: Mapped[str] = mapped_column(String(13), nullable=False, index=True)
    capabilities: Mapped[list[str]] = mapped_column(JSON, nullable=False)
    signed_on: Mapped[dt.date | None] = mapped_column(Date)
    ended_on: Mapped[dt.date | None] = mapped_column(Date)
    title: Mapped[str] = mapped_column(Text, nullable=False)
    source: Mapped[str] = mapped_column(Text, nullable=False)
    source_url: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, nullable=False, server_default=text("1"))

    __mapper_args__: Mapping[str, object] = {"version_id_col": version}


class StaleRecordError(RujukError):
    """A write was based on a version of a record that is no longer the stored one; nothing was written.

    ``identifier`` names the record, ``given`` the version the writer read (None: unknown) and ``current`` the
    stored one (None: the record changed while it was being written; read it again).
    """

    def __init__(self, identifier: str, given: int | None, current: int | None) -> None:
        self.identifier, self.given, self.current = identifier, given, current
        states = {None: "was changed by another write meanwhile", 0: "does not exist"}
        now = states.get(current, f"is at version {current}")
        wanted = "not to exist yet" if given == 0 else f"version {given}"
        super().__init__(
            f"{identifier!r} {now}, but the write expected {wanted}; read it again, apply the change and retry."
        )


def check_version(
    identifier: str, record: Organization | ServiceLocation | Agreement | None, expected: int | None
) -> None:
    """Raise StaleRecordError unless `expected` is None (no check asked) or the stored version of `record`.

    A missing record (None) is at version 0, so ``expected=0`` asks that no record has that id yet.
    """
    current = 0 if record is None else record.version
    if expected is not None and current != expected:
        raise StaleRecordError(identifier, expected, current)


@contextmanager
def stale_writes(identifier: str, expected: int | None = None) -> Iterator[None]:
    """Turn a lost compare-and-swap (SQLAlchemy's StaleDataError) inside the block into StaleRecordError."""
    try:
        yield
    except StaleDataError:
        raise StaleRecordError(identifier, expected, None) from None


def _routable() -> ColumnElement[bool]:
    """Return the SQL condition that an agency has a point in Indonesia to travel to (not abroad, not a hotline)."""
    return and_(
        ServiceLocation.lon.is_not(None),
        ServiceLocation.lat.is_not(None),
        ServiceLocation.country == ROUTABLE_COUNTRY,
        ServiceLocation.agency_type != "hotline",
    )


def _inside(column: SQLColumnExpression[str | None], area_code: str) -> ColumnElement[bool]:
    """Return the SQL condition that `column` is `area_code` or an area inside it."""
    return or_(column == area_code, column.like(f"{area_code}.%"))


def list_agencies(
    session: Session,
    capability: str | None = None,
    area_code: str | None = None,
    agency_type: str | None = None,
    include_retired: bool = False,
    placed: bool | None = None,
) -> list[ServiceLocation]:
    """Return the agencies that match every filter given, sorted by id.

    Parameters
    ----------
    session
        An open session.
    capability
        Only agencies offering this capability code.
    area_code
        Only agencies whose ``area_code`` is this area or lies inside it
        (``"64"`` gives the Kalimantan Timur province unit and its regency units).
    agency_type
        Only agencies of this type.
    include_retired
        Also agencies retired on or before today.
    placed
        True: only the agencies with a point in Indonesia (what routing travels to); False: only the others
        (missions abroad and hotlines); None (default): all.

    Raises
    ------
    InputError
        If `capability` or `agency_type` is not a known code (close matches are given).
    """
    query = select(ServiceLocation).options(selectinload(ServiceLocation.services)).order_by(ServiceLocation.id)
    if capability is not None:
        capabilities.check("capability", capability)
        query = query.where(ServiceLocation.services.any(Service.capability == capability))
    if agency_type is not None:
        query = query.where(ServiceLocation.agency_type == capabilities.check("agency_type", agency_type))
    if area_code is not None:
        query = query.where(_inside(ServiceLocation.area_code, area_code))
    if placed is not None:
        query = query.where(_routable() if placed else not_(_routable()))
    if not include_retired:
        today = dt.date.today()
        query = query.where(or_(ServiceLocation.retired_on.is_(None), ServiceLocation.retired_on > today))
    return list(session.scalars(query).unique())


def get_agency(session: Session, agency_id: str) -> ServiceLocation:
    """Return the agency with this id, retired or not.

    Raises
    ------
    NotFoundError
        If no agency has that id; the message lists close ids.
    """
    agency = session.get(ServiceLocation, agency_id)
    if agency is None:
        ids = list(session.scalars(select(ServiceLocation.id)))
        close = get_close_matches(str(agency_id), ids, n=5, cutoff=0.5)
        msg = f"`agency_id` was {agency_id!r} but no agency has that id; close ids: {', '.join(close) or 'none'}."
        raise NotFoundError(msg)
    return agency


def retire_agency(
    session: Session, agency_id: str, on: dt.date | None = None, expected: int | None = None
) -> ServiceLocation:
    """Mark an agency retired from `on` (default today); it is kept, never deleted.

    With `expected`, the agency must be at that version, checked again by the UPDATE itself.

    Raises
    ------
    NotFoundError
        If no agency has that id.
    StaleRecordError
        If the agency is not (or no longer, when written) at version `expected`.
    """
    agency = get_agency(session, agency_id)
    check_version(agency_id, agency, expected)
    agency.retired_on = on or dt.date.today()
    with stale_writes(agency_id, expected):
        session.flush()
    return agency


def list_agreements(session: Session, area_code: str | None = None, include_ended: bool = False) -> list[Agreement]:
    """Return the agreements sorted by id: those of `area_code` (a party, or a party inside it) if given.

    Agreements ended on or before today are left out unless `include_ended`.
    """
    query = select(Agreement).order_by(Agreement.id)
    if area_code is not None:
        query = query.where(or_(_inside(Agreement.area_a, area_code), _inside(Agreement.area_b, area_code)))
    if not include_ended:
        query = query.where(or_(Agreement.ended_on.is_(None), Agreement.ended_on > dt.date.today()))
    return list(session.scalars(query))


def agency_record(agency: ServiceLocation) -> dict[str, object]:
    """Return one agency as a flat dict of :data:`AGENCY_FIELDS` and its ``version``.

    Capabilities and languages are lists; frames and files leave the version out.
    """
    record = {field: getattr(agency, field, None) for field in AGENCY_FIELDS}
    record["organization_name"] = agency.organization.name
    record["website"] = agency.organization.website
    record["capabilities"] = agency.capabilities
    record["languages"] = capabilities.split_list(agency.languages)
    record["version"] = agency.version
    return record


def agreement_record(agreement: Agreement) -> dict[str, object]:
    """Return one agreement as a flat dict of :data:`AGREEMENT_FIELDS` (capabilities as a list) and its ``version``."""
    record = {field: getattr(agreement, field) for field in AGREEMENT_FIELDS}
    record["capabilities"] = list(agreement.capabilities)
    record["version"] = agreement.version
    return record


def agencies_to_frame(agencies: Iterable[ServiceLocation]) -> gpd.GeoDataFrame:
    """Return agencies as a GeoDataFrame of :data:`AGENCY_FIELDS` with Point geometries in EPSG:4326.

    A row without a point (a mission abroad, a hotline) has ``lon``/``lat`` NaN and geometry None. The points
    are the true ones: pass the frame through :func:`public_view` before it leaves the server.
    """
    frame = pd.DataFrame([agency_record(agency) for agency in agencies], columns=list(AGENCY_FIELDS))
    frame["capacity"] = frame["capacity"].astype("Int64")
    frame["confidential"] = frame["confidential"].astype(bool)
    frame["existence_confirmed"] = frame["existence_confirmed"].astype(bool)
    lon, lat = frame["lon"].astype(float), frame["lat"].astype(float)
    points = gpd.points_from_xy(lon, lat, crs="EPSG:4326")
    points[(lon.isna() | lat.isna()).to_numpy()] = None  # a mission abroad or a hotline: no point
    return gpd.GeoDataFrame(frame, geometry=points, crs="EPSG:4326")


def agencies_frame(engine: Engine, include_retired: bool = False) -> gpd.GeoDataFrame:
    """Return the active agencies (all if `include_retired`) with a point in Indonesia, for routing (true points).

    Missions abroad and hotlines are left out (they have no place to travel to):
    :func:`directory.places.remote_services_frame` gives them, :func:`directory_frame` every row.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns of :data:`AGENCY_FIELDS` (``capabilities`` and ``languages`` are
        lists) and a Point ``geometry`` (EPSG:4326); sorted by id.
    """
    with session_scope(engine) as session:
        return agencies_to_frame(list_agencies(session, include_retired=include_retired, placed=True))


def directory_frame(engine: Engine, include_retired: bool = False) -> gpd.GeoDataFrame:
    """Return every active agency (all if `include_retired`), missions abroad and hotlines too (geometry None).

    The frame of exports and listings; routing reads :func:`agencies_frame`.
    """
    with session_scope(engine) as session:
        return agencies_to_frame(list_agencies(session, include_retired=include_retired))


def agreements_frame(engine: Engine, include_ended: bool = False) -> pd.DataFrame:
    """Return the agreements in force (all if `include_ended`) with a ``capabilities`` list column."""
    with session_scope(engine) as session:
        rows = [agreement_record(a) for a in list_agreements(session, include_ended=include_ended)]
    return pd.DataFrame(rows, columns=list(AGREEMENT_FIELDS))


@cache
def _representative_points(level: str, stamp: tuple) -> pd.DataFrame:
    areas = boundaries.load_areas(level)
    points = areas.geometry.representative_point()
    return pd.DataFrame({"lon": points.x.to_numpy(), "lat": points.y.to_numpy()}, index=areas["code"].to_numpy())


def representative_points(level: str) -> pd.DataFrame:
    """Return a point inside every area of `level` (``lon``, ``lat``), indexed by code."""
    return _representative_points(level, boundaries.stamp(boundaries.artefact_name(level)))


def public_view(
    agencies: gpd.GeoDataFrame, authorised: bool = False, drop_confidential: bool = False
) -> gpd.GeoDataFrame:
    """Return agency rows as they may be shown: the one rule for confidential locations.

    A confidential agency (a safe house) shown without authorisation gets the
    representative point of the regency its true point lies in (of its stated area's
    regency or province if the point is in none), precision ``"approximate"``, its
    :data:`REDACTED_FIELDS` (every free-text and contact field) emptied (missing) and
    ``redacted`` True; with `drop_confidential`
    it is left out instead. Every export and API answer about agencies goes
    through this function.

    Parameters
    ----------
    agencies
        Rows of :func:`agencies_to_frame` or :func:`agencies_frame`.
    authorised
        The caller may see true locations (an authenticated caseworker); rows are returned unchanged.
    drop_confidential
        Leave confidential agencies out rather than moving their point.

    Returns
    -------
    geopandas.GeoDataFrame
        A copy with a boolean ``redacted`` column.
    """
    view = agencies.copy()
    view["redacted"] = False
    hidden = view["confidential"].astype(bool).to_numpy() & (not authorised)
    if not hidden.any():
        return view
    if drop_confidential:
        return view.loc[~hidden].copy()
    rows = view.index[hidden]
    regency = pd.Series(lookup.locate(view.loc[rows, "lon"], view.loc[rows, "lat"], "regency"), index=rows)
    stated = view.loc[rows, "area_code"].str.slice(0, 5)
    regency = regency.where(regency.notna(), stated)
    regencies, provinces = representative_points("regency"), representative_points("province")
    points = [
        regencies.loc[code] if code in regencies.index else provinces.loc[code[:2]] for code in regency.to_numpy()
    ]
    view.loc[rows, "lon"] = np.array([p["lon"] for p in points], dtype=float)
    view.loc[rows, "lat"] = np.array([p["lat"] for p in points], dtype=float)
    view.loc[rows, list(REDACTED_FIELDS)] = None
    view.loc[rows, "location_precision"] = "approximate"
    view.loc[rows, "redacted"] = True
    return view.set_geometry(gpd.points_from_xy(view["lon"], view["lat"], crs="EPSG:4326"))
