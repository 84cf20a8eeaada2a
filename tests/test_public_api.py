"""The small public API of each package, as a notebook uses it: lazy imports, one referral call, clear errors."""

from __future__ import annotations

import subprocess
import sys

import pytest

import geo
import routing
from core import db
from core.errors import RujukError
from directory import agencies
from routing import engine as routing_engine


def test_importing_the_packages_loads_no_heavy_module():
    heavy = "('scipy', 'folium', 'geopandas')"
    code = f"import geo, routing, webmap, store, sys; print(sorted(m for m in {heavy} if m in sys.modules))"
    started = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert started.stdout.strip() == "[]"


def test_each_package_lists_its_public_names():
    assert {"refer", "Referrer", "coverage_table"} <= set(routing.__all__) <= set(dir(routing))
    assert {"find", "locate", "load_areas"} <= set(geo.__all__)
    with pytest.raises(AttributeError, match="has no attribute 'nothing'"):
        _ = routing.nothing


def test_routing_refer_answers_from_a_database_in_one_call(seeded_engine):
    answer = routing.refer("Tenggarong", ["psychological"], engine=seeded_engine, k=3)
    assert answer.candidates and answer.candidates[0]["travel_time_h"] >= 0
    wider = routing.refer("Tenggarong", ["psychological"], engine=seeded_engine, k=20)
    assert any(c["jurisdiction"] == "agreement" for c in wider.candidates)


def test_the_referral_engine_is_built_once_per_data_version(seeded_engine, tmp_path):
    first = routing_engine.referrer(seeded_engine)
    assert routing_engine.referrer(seeded_engine) is first
    copy = db.get_engine(f"sqlite:///{tmp_path / 'copy.sqlite'}")
    with seeded_engine.connect() as source, copy.connect() as target:
        source.connection.backup(target.connection.dbapi_connection)
    built = routing_engine.referrer(copy)
    with db.session_scope(copy) as session:
        agencies.retire_agency(session, agencies.list_agencies(session)[0].id)
    assert routing_engine.referrer(copy) is not built  # the directory changed: rebuilt
    copy.dispose()


def test_a_missing_database_says_to_run_data_build(tmp_path):
    empty = db.get_engine(f"sqlite:///{tmp_path / 'empty.sqlite'}")
    with pytest.raises(RujukError, match="run `rujuk data build`"):
        routing.refer("Tenggarong", ["shelter"], engine=routing_engine.database_of(empty))
    empty.dispose()


def test_geo_finds_and_locates_places():
    place = geo.find("Tenggarong")[0]
    assert place.code == "64.02"
    assert geo.locate([place.lon], [place.lat], level="regency").tolist() == ["64.02"]
