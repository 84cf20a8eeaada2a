"""Global settings for Rujuk: the one place where configuration is read.

Every value is a module-level attribute that can be changed at run time, as in
osmnx (``from core import settings; settings.suppress_below = 11``). Code must
read ``settings.NAME`` when it runs, never copy a value at import time.
Environment variables (read once, when this module is imported) give the
defaults; their names are ``RUJUK_`` plus the attribute name in upper case. A
numeric variable outside its sense (a negative speed or tolerance, a circuity
below 1, a significance level outside (0, 1), a suppression threshold below 1)
stops the import with a ValueError naming the variable and its value, and the same
value assigned at run time (``settings.suppress_below = 0``) is refused the same way
(geopandas' options pattern): the setting keeps its value.

Attributes
----------
data_mirror : pathlib.Path | None
    Directory holding the third-party files under their mirror paths
    (``upstream/<repo>/...``, ``osm/...``, ``crosswalk-bps2020-kemendagri/...``).
    When set, files are read from it (and their sha256 checked); when unset,
    they are downloaded from the pinned URLs in ``geo/registry.txt`` into
    ``cache_dir``. Env: ``RUJUK_DATA_MIRROR``.
cache_dir : pathlib.Path
    Where downloaded files are kept. Env: ``RUJUK_CACHE_DIR``; default is the
    platform cache folder (``pooch.os_cache("rujuk")``).
data_dir : pathlib.Path
    Where built artefacts and the default database live. Env:
    ``RUJUK_DATA_DIR``; default ``data/`` of the checkout when run from one, else the
    user's data folder (``platformdirs.user_data_dir("rujuk")``, e.g. ``~/.local/share/rujuk``).
database_url : str
    SQLAlchemy URL of the service database. Env: ``RUJUK_DATABASE_URL``;
    default a SQLite file ``rujuk.sqlite`` in ``data_dir``.
suppress_below : int
    Public outputs show case counts below this value as ``"<N"`` (never the
    number). Default 5; the Counter Trafficking Data Collaborative uses k = 11.
    Env: ``RUJUK_SUPPRESS_BELOW``; a value below 1 (which would show every count)
    or not a whole number is refused at import and at assignment.
lookup_tolerance_km : float
    A point outside every polygon (sea, or a sliver between independently
    simplified neighbours) is assigned to the nearest area within this
    distance, and to none beyond it. Default 3 km: the upstream polygons are
    simplified, and regency seats lie up to a few km outside them.
    Env: ``RUJUK_LOOKUP_TOLERANCE_KM``.
approximate_location_tolerance_km : float
    A directory row whose ``location_precision`` is ``regency_seat`` or
    ``approximate`` may lie this far outside its stated area (an exact point:
    ``lookup_tolerance_km``). Default 25 km: a town placed by hand, or a seat on
    the coast of a simplified polygon, can sit well outside it, while a point in
    the wrong regency is usually farther. Env: ``RUJUK_APPROXIMATE_LOCATION_TOLERANCE_KM``.
web_simplify_tolerance_m : dict[str, float]
    Douglas-Peucker tolerance per level for the web-ready boundary files.
web_coordinate_decimals : int
    Decimals kept in web GeoJSON coordinates (5 = about 1 m).
island_merge_gap_m : float
    Land polygons closer than this are treated as one land mass when islands
    are built (closes slivers between independently simplified neighbours;
    the Kalimantan-Sebatik or Java-Madura gaps are far wider).
road_speed_kmh : float
    Average door-to-door road speed of the estimated travel model.
circuity_factor : float
    Road distance divided by great-circle distance in the estimated model.
ferry_speed_kmh : float
    Sea-leg speed of the estimated model.
ferry_wait_h : float
    Waiting and boarding time added once per sea leg in the estimated model.
travel_modes : str
    The ways of travelling allowed by default, one of :data:`TRAVEL_MODE_CHOICES`
    (``road,sea,air``); a request may allow fewer. Env: ``RUJUK_TRAVEL_MODES``.
road_speed_city_kmh, road_speed_mountain_kmh, mountain_seat_elevation_m : float
    Road speed of the estimated model in a *kota* (24 km/h, calibrated on the OSM city
    graphs by ``bench/calibrate_roads.py``) and in a regency whose seat lies at
    ``mountain_seat_elevation_m`` (1,000 m) or higher (25 km/h); elsewhere ``road_speed_kmh``.
air_speed_kmh, air_overhead_h, air_check_in_h, air_exit_h : float
    A flight leg: distance at 700 km/h plus 0.4 h (taxi, climb, descent), 1 h check-in
    before and 0.5 h to leave the airport after (stated planning values).
crossing_boarding_h, fast_boat_boarding_h, ship_boarding_h, on_demand_wait_h : float
    Boarding before a ferry (0.75 h), a fast boat (0.25 h) or a passenger ship (2 h), and
    the wait for boats that leave when full (0.5 h).
hub_departures_per_day, thin_departures_per_day : float
    Departures a day of rule flights between hubs (12) and of other rule links and of
    crossings whose source gives no frequency (1).
water_check_km : float
    Straight road legs up to this length (60 km) are tested for crossing water.
default_speed_kmh_by_highway : dict[str, float]
    Road-network speeds per OSM ``highway`` class where ``maxspeed`` is missing.
    A ``*_link`` ramp without its own entry takes the speed of its road class. They are
    typical travel speeds in Indonesian towns, below the legal limits: PP 79/2013 art. 23
    and Permenhub PM 111/2015 art. 3 set at most 100 km/h on freeways (60 minimum; 80 on
    inner-city toll roads), 80 km/h between towns, 50 km/h in urban areas and 30 km/h in
    residential areas. The road networks used (Balikpapan, Jakarta) are urban, where
    traffic runs well below the limits: Waze measured 18 km/h on Jakarta's weekdays and
    22 km/h at weekends in 2014 (Beritasatu, 25 March 2015), TomTom about 20 km/h in 2019.
    So motorway 80 (the inner-city toll limit), trunk 50 (the urban limit), primary 40,
    secondary 35, tertiary 30, unclassified 25, residential 20 (under its 30 km/h limit),
    service 15 and living_street 10 (walking pace with cars).
access_speed_kmh : float
    Speed of the straight-line leg between a point and the road node it is snapped
    to (walking, or a motorbike taxi on a lane the map lacks). Default 5 km/h.
    Env: ``RUJUK_ACCESS_SPEED_KMH``.
road_snap_max_km : float
    A point farther than this from a road network's main component is outside that
    network: its travel times there are ``inf``. Default 1 km.
    Env: ``RUJUK_ROAD_SNAP_MAX_KM``.
ferry_boarding_h : float
    Boarding and waiting time added to every ``route=ferry`` edge of a road network.
    Default 0.5 h: crossings inside a road network are short and frequent, e.g. the
    Kariangau (Balikpapan) - Penajam ferry gives each ship 20 minutes to unload and load
    and runs 80 trips a day at peak (ANTARA Kaltim, 2016 and 2017), so 20 minutes at the
    ramp plus about 10 of average wait; the long-haul wait of the estimated model is
    ``ferry_wait_h``. Env: ``RUJUK_FERRY_BOARDING_H``.
cross_border_policy : str
    One of :data:`CROSS_BORDER_POLICIES`: ``"flag"`` (default): agencies across a border
    without an agreement are listed and marked as needing coordination; ``"exclude"``:
    they are left out. Env: ``RUJUK_CROSS_BORDER_POLICY``; another value is refused at
    import (and at use, if set at run time) with the allowed ones.
coverage_standard_h : dict[str, float]
    Per capability, the travel time within which help should be reachable; areas
    beyond it are coverage gaps. The values are planning defaults, not law: 2 h for
    emergency medical care and a forensic exam (evidence is lost with time), 4 h for
    intake, shelter, case management, psychological and legal help (same-day
    service), 24 h for law enforcement, witness protection, repatriation,
    reintegration and migrant-worker services (a day's journey to a provincial or
    national office).
road_networks : list[str]
    Mirror paths of the OpenStreetMap road networks that referrals use where they
    cover the origin (elsewhere the estimated model is used).
tile_url : str
    URL template of the base-map tiles of the web maps (``{z}/{x}/{y}``), the only
    address a map page loads from another host. ``"none"`` draws no base map: the
    boundaries, markers and gaps still show, on a plain background (for machines
    without internet). Default the OpenStreetMap standard tiles.
    Env: ``RUJUK_TILE_URL``.
tile_attribution : str
    Attribution text shown with the tiles (plain text). Env: ``RUJUK_TILE_ATTRIBUTION``.
plan_time_limit_s : float
    Seconds HiGHS may spend on one office plan (:mod:`routing.planning.models`); a plan
    stopped by it is returned with status ``"time_limit"`` and its MIP gap. Default 60.
    Env: ``RUJUK_PLAN_TIME_LIMIT_S``.
hotspot_alpha : float
    Significance level of :func:`cases.hotspots.hotspots`: an area is a hot or cold
    spot when its permutation pseudo p-value is at most this. Default 0.05.
    Env: ``RUJUK_HOTSPOT_ALPHA``.
secret_key : str | None
    Key that signs the web service's session cookies and CSRF tokens. None (default):
    a random key is generated once and kept in ``data_dir / "secret_key"`` (mode 0600),
    so sign-ins survive a restart. Env: ``RUJUK_SECRET_KEY``.
session_cookie_secure : bool
    Send the session cookie over HTTPS only. Default False, so ``rujuk serve`` works on
    ``http://127.0.0.1``; set it to true behind HTTPS. Env: ``RUJUK_SESSION_COOKIE_SECURE``.
session_lifetime_h : float
    Hours a sign-in lasts. Default 8 (a working day). Env: ``RUJUK_SESSION_LIFETIME_H``.
login_rate_limit : str
    Sign-in attempts allowed per client address (Flask-Limiter notation), default
    ``"10 per minute;60 per hour"``: a person who mistypes is never stopped, a password
    guesser gets 60 tries an hour from one address. Env: ``RUJUK_LOGIN_RATE_LIMIT``.
lockout_after : int
    Wrong passwords in a row after which an account is locked, whatever the address.
    Default 5. Env: ``RUJUK_LOCKOUT_AFTER``.
lockout_minutes : float
    Length of the first lockout; each further wrong password while the count stays at or
    above ``lockout_after`` doubles it, up to ``lockout_max_minutes``. Defaults 1 and 60
    (OWASP Authentication Cheat Sheet: lock out with exponential back-off rather than for
    ever, which would let anyone lock out a caseworker). Env: ``RUJUK_LOCKOUT_MINUTES``,
    ``RUJUK_LOCKOUT_MAX_MINUTES``.
proxy_hops : int
    How many reverse proxies in front of the service set ``X-Forwarded-For`` and
    ``X-Forwarded-Proto`` (Werkzeug's ``ProxyFix``). Default 0: the headers are ignored, as a
    client could forge them. Set it to 1 behind one nginx so that rate limits count the
    client's address, not the proxy's, and HTTPS is recognised (HSTS, secure cookies).
    Env: ``RUJUK_PROXY_HOPS``.
ratelimit_storage_uri : str
    Where the rate limiter counts (``memory://`` per process, or ``redis://...`` shared by
    worker processes; see the ``limits`` package). Env: ``RUJUK_RATELIMIT_STORAGE_URI``.
referral_rate_limit : str
    Referral questions (``/api/v1/referrals``) allowed per client address, or per account
    for a signed-in or token caller (Flask-Limiter notation). Default
    ``"120 per minute;2000 per hour"``: a referral page makes a few calls per question, a
    script looping on the route is stopped. Env: ``RUJUK_REFERRAL_RATE_LIMIT``.
map_layer_rate_limit : str
    Coverage and hot-spot answers (``/api/v1/coverage``, ``/api/v1/hotspots``, one count for
    both) allowed per client address or account. Default ``"30 per minute;600 per hour"``:
    a map showing every layer asks for 14; one uncached district layer takes about 2 s to
    compute. Env: ``RUJUK_MAP_LAYER_RATE_LIMIT``.
areas_rate_limit : str
    Boundary answers (``/api/v1/areas``) allowed per client address or account. Default
    ``"60 per minute;1200 per hour"``. Env: ``RUJUK_AREAS_RATE_LIMIT``.
plan_rate_limit : str
    Office plans (``POST /api/v1/plans`` and the Plan page) allowed per client address or
    account; a plan takes seconds. Default ``"10 per minute;100 per hour"``.
    Env: ``RUJUK_PLAN_RATE_LIMIT``.
"""

from __future__ import annotations

import math
import os
import sys
import types
from dataclasses import dataclass
from pathlib import Path
from typing import overload

import platformdirs
import pooch


@overload
def _env_path(name: str, default: Path) -> Path: ...
@overload
def _env_path(name: str, default: None) -> Path | None: ...
def _env_path(name: str, default: Path | None) -> Path | None:
    value = os.environ.get(name)
    return Path(value).expanduser().resolve() if value else default


@dataclass(frozen=True)
class _Rule:
    """What a numeric or enumerated setting must be; checked from the environment and on every assignment."""

    at_least: float | None = None
    above: float | None = None
    below: float | None = None
    whole: bool = False
    why: str = ""
    choices: tuple[object, ...] = ()

    def problem(self, value: object) -> str | None:
        """Return what `value` breaks (None when it is kept)."""
        if self.choices:
            return None if value in self.choices else f"must be one of {list(self.choices)}"
        number = value if isinstance(value, int | float) and not isinstance(value, bool) else math.nan
        tests = [
            (self.at_least, ">=", number >= (self.at_least or 0)),
            (self.above, ">", number > (self.above or 0)),
            (self.below, "<", number < (self.below or 0)),
        ]
        kept = math.isfinite(number) and (not self.whole or float(number).is_integer())
        if kept and all(bound is None or ok for bound, _, ok in tests):
            return None
        bounds = " and ".join(f"{sign} {bound:g}" for bound, sign, _ in tests if bound is not None)
        return f"must be a {'whole ' if self.whole else ''}number {bounds}{f' ({self.why})' if self.why else ''}"


_RULES: dict[str, _Rule] = {}
"""The rule of each checked setting, by attribute name (filled by :func:`_env_float` and :func:`_env_choice`)."""


def _attribute(variable: str) -> str:
    return variable.removeprefix("RUJUK_").lower()


def _env_float(
    name: str,
    default: float,
    at_least: float | None = None,
    above: float | None = None,
    below: float | None = None,
    whole: bool = False,
    why: str = "",
) -> float:
    """Return the number in environment variable `name` (`default` when unset or empty), or refuse it.

    The same bounds are checked whenever the setting is assigned later (module notes).

    Parameters
    ----------
    at_least, above, below
        Bounds the value must keep (``>=``, ``>``, ``<``); it must be finite too.
    whole
        The value must be a whole number.
    why
        Why the bounds are what they are, said when a value breaks them.

    Raises
    ------
    ValueError
        Naming the variable, its value and what it must be.
    """
    rule = _RULES[_attribute(name)] = _Rule(at_least, above, below, whole, why)
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    problem = rule.problem(number)
    if problem is not None:
        msg = (
            f"Environment variable {name} was {value!r} but {problem}; fix it or unset it for the default {default:g}."
        )
        raise ValueError(msg)
    return number


def _env_choice(name: str, default: str, allowed: tuple[str, ...]) -> str:
    _RULES[_attribute(name)] = _Rule(choices=allowed)
    value = os.environ.get(name) or default
    if value not in allowed:
        msg = f"Environment variable {name} was {value!r} but must be one of {list(allowed)}."
        raise ValueError(msg)
    return value


_BOOLEANS: tuple[str, ...] = ("1", "true", "yes", "0", "false", "no")
"""The words a yes/no environment variable may hold: anything else stops the import (never a silent "no")."""


def _env_bool(name: str, default: bool) -> bool:
    """Return the yes/no of environment variable `name` (`default` when unset), or refuse a word it does not know."""
    _RULES[_attribute(name)] = _Rule(choices=(True, False))
    value = (os.environ.get(name) or "").strip().lower()
    if value == "":
        return default
    if value not in _BOOLEANS:
        msg = f"Environment variable {name} was {value!r} but must be one of {list(_BOOLEANS)} (any case)."
        raise ValueError(msg)
    return value in {"1", "true", "yes"}


class _CheckedSettings(types.ModuleType):
    """The settings module, refusing a nonsense value at assignment as at import (``settings.suppress_below = 0``)."""

    def __setattr__(self, name: str, value: object) -> None:
        if not name.startswith("_") and name not in self.__dict__:
            msg = f"`settings.{name}` is not a setting; the settings are listed in the notes of core.settings."
            raise AttributeError(msg)
        rule = _RULES.get(name)
        problem = None if rule is None else rule.problem(value)
        if problem is not None:
            msg = f"`settings.{name}` was {value!r} but {problem}; the setting keeps {getattr(self, name)!r}."
            raise ValueError(msg)
        super().__setattr__(name, value)


package_root: Path = Path(__file__).resolve().parents[1]

data_mirror: Path | None = _env_path("RUJUK_DATA_MIRROR", None)
cache_dir: Path = _env_path("RUJUK_CACHE_DIR", Path(pooch.os_cache("rujuk")))
_IN_CHECKOUT = (package_root / "pyproject.toml").is_file()
"""Run from a source checkout (``make run``): data beside the code. Installed from a wheel: the user's data folder."""
_DEFAULT_DATA_DIR = package_root / "data" if _IN_CHECKOUT else Path(platformdirs.user_data_dir("rujuk"))
data_dir: Path = _env_path("RUJUK_DATA_DIR", _DEFAULT_DATA_DIR)
database_url: str = os.environ.get("RUJUK_DATABASE_URL") or f"sqlite:///{data_dir / 'rujuk.sqlite'}"

_SUPPRESS_WHY = "below 1 every count would be shown, small ones too: suppression would be off"
suppress_below: int = int(_env_float("RUJUK_SUPPRESS_BELOW", 5, at_least=1, whole=True, why=_SUPPRESS_WHY))
lookup_tolerance_km: float = _env_float("RUJUK_LOOKUP_TOLERANCE_KM", 3.0, at_least=0)
approximate_location_tolerance_km: float = _env_float("RUJUK_APPROXIMATE_LOCATION_TOLERANCE_KM", 25.0, at_least=0)

web_simplify_tolerance_m: dict[str, float] = {"province": 1000.0, "regency": 500.0, "district": 200.0}
web_coordinate_decimals: int = 5
island_merge_gap_m: float = 200.0

# Estimated travel model (routing). Sources and reasoning are in routing/national.py.
road_speed_kmh: float = _env_float("RUJUK_ROAD_SPEED_KMH", 40.0, above=0)
_CIRCUITY_WHY = "no road is shorter than the great circle"
circuity_factor: float = _env_float("RUJUK_CIRCUITY_FACTOR", 1.4, at_least=1, why=_CIRCUITY_WHY)
ferry_speed_kmh: float = _env_float("RUJUK_FERRY_SPEED_KMH", 20.0, above=0)
ferry_wait_h: float = _env_float("RUJUK_FERRY_WAIT_H", 4.0, at_least=0)

# The archipelago's scheduled links (routing/_links.py; sources in routing/data/README.md).
TRAVEL_MODE_CHOICES: tuple[str, ...] = ("road,sea,air", "road,sea", "road,air", "road")
travel_modes: str = _env_choice("RUJUK_TRAVEL_MODES", "road,sea,air", TRAVEL_MODE_CHOICES)
road_speed_city_kmh: float = _env_float("RUJUK_ROAD_SPEED_CITY_KMH", 24.0, above=0)
road_speed_mountain_kmh: float = _env_float("RUJUK_ROAD_SPEED_MOUNTAIN_KMH", 25.0, above=0)
mountain_seat_elevation_m: float = _env_float("RUJUK_MOUNTAIN_SEAT_ELEVATION_M", 1000.0, at_least=0)
air_speed_kmh: float = _env_float("RUJUK_AIR_SPEED_KMH", 700.0, above=0)
air_overhead_h: float = _env_float("RUJUK_AIR_OVERHEAD_H", 0.4, at_least=0)
air_check_in_h: float = _env_float("RUJUK_AIR_CHECK_IN_H", 1.0, at_least=0)
air_exit_h: float = _env_float("RUJUK_AIR_EXIT_H", 0.5, at_least=0)
crossing_boarding_h: float = _env_float("RUJUK_CROSSING_BOARDING_H", 0.75, at_least=0)
fast_boat_boarding_h: float = _env_float("RUJUK_FAST_BOAT_BOARDING_H", 0.25, at_least=0)
ship_boarding_h: float = _env_float("RUJUK_SHIP_BOARDING_H", 2.0, at_least=0)
on_demand_wait_h: float = _env_float("RUJUK_ON_DEMAND_WAIT_H", 0.5, at_least=0)
hub_departures_per_day: float = _env_float("RUJUK_HUB_DEPARTURES_PER_DAY", 12.0, above=0)
thin_departures_per_day: float = _env_float("RUJUK_THIN_DEPARTURES_PER_DAY", 1.0, above=0)
water_check_km: float = _env_float("RUJUK_WATER_CHECK_KM", 60.0, at_least=0)

# Road-network speeds where OSM has no maxspeed (km/h): urban Indonesian traffic, under the
# PP 79/2013 and PM 111/2015 limits (sources in the module notes).
default_speed_kmh_by_highway: dict[str, float] = {
    "motorway": 80.0,
    "trunk": 50.0,
    "primary": 40.0,
    "secondary": 35.0,
    "tertiary": 30.0,
    "unclassified": 25.0,
    "residential": 20.0,
    "living_street": 10.0,
    "service": 15.0,
}
access_speed_kmh: float = _env_float("RUJUK_ACCESS_SPEED_KMH", 5.0, above=0)
road_snap_max_km: float = _env_float("RUJUK_ROAD_SNAP_MAX_KM", 1.0, at_least=0)
ferry_boarding_h: float = _env_float("RUJUK_FERRY_BOARDING_H", 0.5, at_least=0)

CROSS_BORDER_POLICIES: tuple[str, ...] = ("flag", "exclude")
cross_border_policy: str = _env_choice("RUJUK_CROSS_BORDER_POLICY", "flag", CROSS_BORDER_POLICIES)

coverage_standard_h: dict[str, float] = {
    "intake": 4.0,
    "case_management": 4.0,
    "shelter": 4.0,
    "medical": 2.0,
    "forensic_exam": 2.0,
    "psychological": 4.0,
    "legal_aid": 4.0,
    "law_enforcement": 24.0,
    "witness_protection": 24.0,
    "repatriation_domestic": 24.0,
    "repatriation_international": 24.0,
    "reintegration": 24.0,
    "migrant_worker_services": 24.0,
}

road_networks: list[str] = [
    "osm/balikpapan_kota_drive_simplified.graphml",
    "osm/jakarta_jatinegara_drive_simplified.graphml",
    "osm/jakarta_kelapa_gading_drive_simplified.graphml",
]

# Web maps (webmap/): base-map tiles ("none": no tiles) and hot-spot significance.
tile_url: str = os.environ.get("RUJUK_TILE_URL") or "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
tile_attribution: str = os.environ.get("RUJUK_TILE_ATTRIBUTION") or "© OpenStreetMap contributors"
plan_time_limit_s: float = _env_float("RUJUK_PLAN_TIME_LIMIT_S", 60.0, above=0)
hotspot_alpha: float = _env_float("RUJUK_HOTSPOT_ALPHA", 0.05, above=0, below=1, why="a significance level")

# Web service sign-in (service/auth.py).
secret_key: str | None = os.environ.get("RUJUK_SECRET_KEY") or None
session_cookie_secure: bool = _env_bool("RUJUK_SESSION_COOKIE_SECURE", False)
session_lifetime_h: float = _env_float("RUJUK_SESSION_LIFETIME_H", 8.0, above=0)
login_rate_limit: str = os.environ.get("RUJUK_LOGIN_RATE_LIMIT") or "10 per minute;60 per hour"
lockout_after: int = int(_env_float("RUJUK_LOCKOUT_AFTER", 5, at_least=1, whole=True))
lockout_minutes: float = _env_float("RUJUK_LOCKOUT_MINUTES", 1.0, above=0)
lockout_max_minutes: float = _env_float("RUJUK_LOCKOUT_MAX_MINUTES", 60.0, above=0)
ratelimit_storage_uri: str = os.environ.get("RUJUK_RATELIMIT_STORAGE_URI") or "memory://"
referral_rate_limit: str = os.environ.get("RUJUK_REFERRAL_RATE_LIMIT") or "120 per minute;2000 per hour"
map_layer_rate_limit: str = os.environ.get("RUJUK_MAP_LAYER_RATE_LIMIT") or "30 per minute;600 per hour"
areas_rate_limit: str = os.environ.get("RUJUK_AREAS_RATE_LIMIT") or "60 per minute;1200 per hour"
plan_rate_limit: str = os.environ.get("RUJUK_PLAN_RATE_LIMIT") or "10 per minute;100 per hour"
proxy_hops: int = int(_env_float("RUJUK_PROXY_HOPS", 0, at_least=0, whole=True))

sys.modules[__name__].__class__ = _CheckedSettings
