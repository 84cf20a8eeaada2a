"""The national estimated network on the real districts and islands, checked against networkx."""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
import pytest
import shapely
from scipy.sparse.csgraph import dijkstra

from core import settings
from core.errors import InputError
from geo import boundaries
from geo.lookup import locate
from routing._kernels import dry_and_wet, own_ranks
from routing._links import read_table
from routing._national_legs import ISLAND_SEPARATION, direct_legs, island_space
from routing._water import MAX_SAMPLES, STEP_KM, crosses_water
from routing.national import ATTACH_K, OWN_TRIED, NationalNetwork, great_circle_km, national_network, road_leg
from routing.travel import TravelModel

KALABAHI = (124.52, -8.22)  # Alor
KUPANG = (123.60, -10.18)  # Timor
TENGGARONG = (116.99, -0.42)  # Kalimantan
BALIKPAPAN = (116.83, -1.27)  # Kalimantan
SAMARINDA = (117.15, -0.50)  # Kalimantan, a city
BANGKALAN = (112.74, -7.04)  # Madura, across the strait from Surabaya
DENPASAR = (115.22, -8.65)  # Bali, several straits west of Alor
MERAUKE = (140.40, -8.49)  # Papua Selatan: to Kupang the way hops island to island, crossing after crossing


@pytest.fixture(scope="module")
def net() -> NationalNetwork:
    return national_network()


@pytest.fixture(scope="module")
def on_land() -> tuple[np.ndarray, np.ndarray]:
    """200 random points inside random district polygons (where victims and agencies are)."""
    districts = boundaries.load_areas("district")
    rng = np.random.default_rng(7)
    shapes = districts.geometry.iloc[rng.choice(len(districts), 200, replace=False)]
    sampled = shapely.get_coordinates(shapes.sample_points(1, rng=rng).to_numpy())  # one point per shape
    return sampled[:, 0], sampled[:, 1]


def _networkx(graph) -> nx.DiGraph:
    return nx.from_scipy_sparse_array(graph, create_using=nx.DiGraph)


def _direct_hours(net: NationalNetwork, source: tuple, target: tuple) -> np.ndarray:
    """(targets x sources) hours of the direct road leg, by brute force; inf between road islands and over water."""
    start, end = net.attach(*source), net.attach(*target)
    km = great_circle_km(target[0][:, None], target[1][:, None], source[0][None, :], source[1][None, :])
    hours, _ = road_leg(km, (end.speed[:, None] + start.speed[None, :]) / 2)
    same = (end.island[:, None] == start.island[None, :]) & (end.island[:, None] >= 0)
    t, s = np.nonzero(same & (km <= settings.water_check_km) & (km > 0))
    wet = crosses_water(target[0][t], target[1][t], source[0][s], source[1][s], km[t, s])
    same[t[wet], s[wet]] = False
    return np.where(same, hours, np.inf)


def test_kalabahi_to_kupang_crossing_is_in_the_network_at_its_sourced_time():
    sea_only = national_network("road,sea")
    links = sea_only.links
    ferry = [i for i, label in enumerate(links.label) if "Kalabahi" in label and "Kupang" in label]
    assert len(ferry) == 1
    [row] = [r for r in read_table("crossings.csv") if "Kalabahi" in r["name"] and "Kupang" in r["name"]]
    assert row["source_url"].startswith("http") and row["read_on"]
    mode = row["mode"]
    boarding = {"ferry": settings.crossing_boarding_h, "ship": settings.ship_boarding_h}.get(
        mode, settings.fast_boat_boarding_h
    )
    assert links.main_h[ferry[0]] >= boarding + float(row["crossing_hours"])
    route = sea_only.route(KALABAHI, KUPANG)  # the faster of the ferry and the estimated hops via Pantar
    assert route.time_h <= links.hours[ferry[0]] + 2.0
    assert sea_only.travel(*KALABAHI, [KUPANG[0]], [KUPANG[1]])["sea_legs"][0] >= 1


def test_trip_on_one_land_mass_has_no_sea_leg_and_follows_the_speed_classes(net):
    route = net.route(TENGGARONG, SAMARINDA)
    assert {leg.mode for leg in route.legs} == {"road"}
    rural_city = (settings.road_speed_kmh + settings.road_speed_city_kmh) / 2
    direct_h, _ = road_leg(great_circle_km(*TENGGARONG, *SAMARINDA), rural_city)
    assert route.time_h == pytest.approx(direct_h, rel=0.01)


def test_every_district_reaches_every_other_when_every_mode_is_allowed(net):
    assert net.n_components == 1
    assert np.isfinite(net.search(*KUPANG).hours_from).all()


def test_without_flights_only_the_air_only_highlands_are_cut_off():
    sea_only = national_network("road,sea")
    unreachable = ~np.isfinite(sea_only.search(*KUPANG).hours_from)
    regencies = {code[:5] for code in sea_only.codes[unreachable]}
    air_only = {row["area_code"] for row in read_table("roadless.csv") if row["reach"] == "air"}
    assert regencies and regencies <= air_only


def test_points_on_land_are_attached_on_their_own_land_mass(net, on_land):
    attached = net.attach(*on_land)
    nodes_on_island = np.bincount(net.island[net.island >= 0])
    big = (attached.island >= 0) & (nodes_on_island[np.maximum(attached.island, 0)] >= ATTACH_K)
    assert big.mean() > 0.9
    own = net.island[attached.nodes[big]] == attached.island[big, None]
    assert own[:, 0].all() and not attached.sea[big, 0].any()  # the nearest is on its own road island, by road
    assert (own | attached.sea[big]).all()  # the others too, or (on a coast with few dry legs) across the sea
    madura = net.attach([BANGKALAN[0]], [BANGKALAN[1]])
    assert (net.island[madura.nodes[0]] == madura.island[0]).all()


def test_one_point_placed_with_its_regencys_guessed_land_mass_is_placed_as_in_bulk(net, on_land):
    lon, lat = on_land
    bulk = net.place(lon, lat)
    regency = locate(lon, lat, "regency")
    for i in range(len(lon)):  # the first of a regency takes the seeded guess, the others the last one found
        one = net.place(lon[i : i + 1], lat[i : i + 1], regency[i : i + 1])
        assert [part.tolist() for part in one] == [part[i : i + 1].tolist() for part in bulk]


def test_the_compiled_own_ranks_are_the_numpy_reading_of_dry_and_wet_legs(net, on_land):
    coast = net.lon[net.landmass >= 0][:300] + 0.05, net.lat[net.landmass >= 0][:300]  # many legs over water
    lon, lat = np.concatenate([on_land[0], coast[0]]), np.concatenate([on_land[1], coast[1]])
    _, island, _ = net.place(lon, lat)
    chord, own = net._island_tree.query(island_space(lon, lat, island), k=OWN_TRIED)
    km = great_circle_km(lon[:, None], lat[:, None], net.lon[own], net.lat[own])
    water = (settings.water_check_km, STEP_KM, MAX_SAMPLES)
    half = ISLAND_SEPARATION / 2
    args = lon, lat, net.lon[own], net.lat[own]
    grid = net.land.grid, net.land.bits
    usable, rank, enough = own_ranks(*args, chord, island >= 0, km, ATTACH_K, half, water, *grid)
    expected_usable = (chord < half) & (island >= 0)[:, None]
    dry, wet = dry_and_wet(*args, expected_usable, km, ATTACH_K, water, *grid)
    np.testing.assert_array_equal(usable, expected_usable)
    np.testing.assert_array_equal(rank, np.where(dry, 0, np.where(wet, 1, 3)))
    assert {0, 1, 3} <= set(np.unique(rank).tolist())  # dry, wet and unusable legs all occur
    assert not enough and not ((dry | wet).sum(axis=1) >= ATTACH_K).all()  # some point has too few
    some = ((dry | wet).sum(axis=1) >= ATTACH_K).nonzero()[0][:5]  # points that each have enough
    picked = (a[some] for a in args)
    assert own_ranks(*picked, chord[some], island[some] >= 0, km[some], ATTACH_K, half, water, *grid)[2]


def test_route_legs_sum_to_the_matrix_time_and_distance(net, on_land):
    lon, lat = on_land[0][:12], on_land[1][:12]
    result = net.matrix(lon[:3], lat[:3], lon, lat)
    assert result.is_estimate and result.model == net.name
    for i in range(3):
        routes = net.routes((lon[i], lat[i]), list(zip(lon, lat, strict=True)))
        np.testing.assert_allclose([r.time_h for r in routes], result.time_h[i], rtol=1e-9)
        np.testing.assert_allclose([r.distance_km for r in routes], result.distance_km[i], rtol=1e-9)
    assert np.diag(result.time_h[:, :3]) == pytest.approx(0.0)


def test_referral_search_hours_equal_the_matrix(net, on_land):
    agency_lon, agency_lat = on_land[0][50:], on_land[1][50:]
    agencies = net.attach(agency_lon, agency_lat)
    for origin in zip(on_land[0][:5], on_land[1][:5], strict=True):
        hours = net.search(*origin).hours(agencies, agency_lon, agency_lat)
        np.testing.assert_allclose(hours, net.matrix(*origin, agency_lon, agency_lat).time_h[0], rtol=1e-12)


def test_nearest_equals_networkx_multi_source_dijkstra_and_the_matrix(net, on_land):
    rng = np.random.default_rng(3)
    chosen = rng.choice(len(on_land[0]), 30, replace=False)
    sources = on_land[0][chosen[:10]], on_land[1][chosen[:10]]
    targets = on_land[0][chosen[10:]], on_land[1][chosen[10:]]
    graph, ids = net.with_points(*sources)
    lengths = nx.multi_source_dijkstra_path_length(_networkx(graph), set(ids.tolist()))
    node_h = np.array([lengths.get(node, np.inf) for node in range(len(net.codes))])
    attached = net.attach(*targets)
    through_network = (node_h[attached.nodes] + attached.hours).min(axis=1)
    expected = np.minimum(through_network, _direct_hours(net, sources, targets).min(axis=1))
    for direction in ("to_sources", "from_sources"):
        result = net.nearest(*sources, *targets, direction)
        np.testing.assert_allclose(result.time_h, expected, rtol=1e-12)
    matrix = net.matrix(*sources, *targets).time_h
    np.testing.assert_allclose(result.time_h, matrix.min(axis=0), rtol=1e-12)
    np.testing.assert_allclose(matrix[result.source, np.arange(len(expected))], result.time_h, rtol=1e-12)


def test_nearest_source_of_every_district_equals_networkx(net, on_land):
    sources = on_land[0][:40], on_land[1][:40]
    hours, position = net.nearest_source(*sources)
    graph, ids = net.with_points(*sources)
    lengths = nx.multi_source_dijkstra_path_length(_networkx(graph), set(ids.tolist()))
    node_h = np.array([lengths.get(node, np.inf) for node in range(len(net.codes))])
    direct = _direct_hours(net, sources, (net.lon, net.lat))
    np.testing.assert_allclose(hours, np.minimum(node_h, direct.min(axis=1)), rtol=1e-12)
    by_position = net.hours_from_sources(*sources)[position, np.arange(len(hours))]
    np.testing.assert_allclose(by_position, hours, rtol=1e-12)


def test_hours_from_sources_equal_networkx_per_source(net, on_land):
    sources = on_land[0][:4], on_land[1][:4]
    result = net.hours_from_sources(*sources)
    graph, ids = net.with_points(*sources)
    nx_graph = _networkx(graph)
    direct = _direct_hours(net, sources, (net.lon, net.lat))
    for row, source in enumerate(ids):
        lengths = nx.single_source_dijkstra_path_length(nx_graph, int(source))
        node_h = np.array([lengths.get(node, np.inf) for node in range(len(net.codes))])
        np.testing.assert_allclose(result[row], np.minimum(node_h, direct[:, row]), rtol=1e-12)


def test_source_groups_equal_one_pass_per_group_name_the_first_of_a_shared_point_and_share_passes(
    net, on_land, monkeypatch
):
    lon, lat = on_land[0][:30], on_land[1][:30]
    lon, lat = np.concatenate([lon, lon[:10]]), np.concatenate([lat, lat[:10]])  # 30..39 share points with 0..9
    groups = [np.arange(30, 40), np.arange(40) % 3 == 0, np.array([35, 30, 31, 32, 33, 34, 36, 37, 38, 39]), []]
    calls = []
    monkeypatch.setattr("routing._national_sources.dijkstra", lambda *a, **k: calls.append(1) or dijkstra(*a, **k))
    result = net.sources(lon, lat).nearest(groups)
    assert len(calls) == 2  # one pass per distinct set of points (the first and third share theirs), none for []
    matrix = net.hours_from_sources(lon, lat)
    np.testing.assert_array_equal(matrix[30:], matrix[:10])  # a shared point has one row
    for group, (hours, position) in zip(groups[:3], result, strict=False):
        rows = np.flatnonzero(group) if np.asarray(group).dtype == bool else np.asarray(group)
        np.testing.assert_array_equal(hours, matrix[rows].min(axis=0))
        np.testing.assert_array_equal(matrix[position, np.arange(len(hours))], hours)
        assert np.isin(position, rows).all()
        single, _ = net.nearest_source(lon[rows], lat[rows])
        np.testing.assert_array_equal(single, hours)
    both = np.flatnonzero(groups[1])
    shared = both[(both >= 30) & np.isin(both - 30, both)]  # in the group with its twin
    assert len(shared) and not np.isin(result[1][1], shared).any()  # the twin listed first is named
    assert np.isinf(result[3][0]).all() and (result[3][1] == -1).all()


def test_direct_road_legs_to_nodes_are_the_brute_force_legs(net, on_land):
    lon, lat = on_land[0][:20], on_land[1][:20]
    sources = np.concatenate([lon, lon[3:4], [110.0]]), np.concatenate([lat, lat[3:4], [-4.0]])  # a twin, one at sea
    attached = net.attach(*sources)
    legs = direct_legs((*sources, attached.island, attached.speed), (net.lon, net.lat, net.island, net.speed))
    pairs = legs.dense()
    np.testing.assert_array_equal(pairs, _direct_hours(net, sources, (net.lon, net.lat)).T)
    every, rng = np.ones(22, dtype=bool), np.random.default_rng(5)
    small = np.isin(np.arange(22), [7, 20])  # too few for the ranked nearest points: the group's own rows
    for member in (every, np.arange(22) % 3 == 1, small, np.arange(22) != 3, *(rng.random((4, 22)) < 0.4), every):
        hours, nearest = legs.nearest(member)
        chosen = np.where(member[:, None], pairs, np.inf)
        np.testing.assert_array_equal(hours, chosen.min(axis=0))
        np.testing.assert_array_equal(nearest, np.where(np.isfinite(hours), chosen.argmin(axis=0), -1))
    assert np.isinf(pairs[-1]).all() and np.isfinite(pairs[:-1]).any(axis=1).all()


ESTIMATED_CROSSING = (MERAUKE, (134.55, -6.18))  # Merauke to Dobo (Aru): no crossing in the table, estimated


def test_estimated_crossing_wait_changes_a_trip_by_its_sea_legs_times_the_change(net, monkeypatch):
    origin, destination = ESTIMATED_CROSSING
    sea_only = national_network("road,sea")
    before = sea_only.travel(*origin, [destination[0]], [destination[1]])
    monkeypatch.setattr(settings, "ferry_wait_h", settings.ferry_wait_h + 1.5)
    rebuilt = national_network("road,sea")
    after = rebuilt.travel(*origin, [destination[0]], [destination[1]])
    estimated = [leg for leg in rebuilt.route(origin, destination).legs if leg.mode == "sea"]
    assert rebuilt is not sea_only and rebuilt.road_calibration == sea_only.road_calibration
    assert len(estimated) >= 1 and all(leg.label == "estimated crossing" for leg in estimated)
    assert after["hours"][0] - before["hours"][0] == pytest.approx(1.5 * len(estimated), abs=1e-9)


@pytest.mark.parametrize(("origin", "destination"), [(KALABAHI, KUPANG), (KALABAHI, DENPASAR), ESTIMATED_CROSSING])
def test_a_route_has_one_leg_per_crossing_as_its_time_counts_them(origin, destination):
    sea_only = national_network("road,sea")
    route = sea_only.route(origin, destination)
    crossings = [leg for leg in route.legs if leg.mode in ("sea", "ferry", "fast_boat", "ship")]
    counted = sea_only.travel(*origin, [destination[0]], [destination[1]])["sea_legs"][0]
    assert len(crossings) == counted >= 1
    assert all(leg.time_h >= settings.fast_boat_boarding_h for leg in crossings)  # each boards and waits once
    modes = [leg.mode for leg in route.legs]
    assert all(not (a == b == "road") for a, b in itertools.pairwise(modes))  # road runs are joined
    assert route.time_h == pytest.approx(sea_only.travel(*origin, [destination[0]], [destination[1]])["hours"][0])


def test_network_is_a_travel_model_built_once_per_boundaries(net):
    assert isinstance(net, TravelModel)
    assert national_network() is net


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda m: m.matrix([np.nan], [0.0], [116.8], [-1.2]), "origin_lon"),
        (lambda m: m.matrix([116.8], [-1.2], [], []), "destination_lon"),
        (lambda m: m.route((116.8, -1.2), (116.8, 91.0)), "destination_lat"),
        (lambda m: m.search(np.nan, -1.2), "origin_lon"),
        (lambda m: m.search([116.8, 116.9], [-1.2, -1.3]), "origin_lon"),
        (lambda m: m.attach([116.8], [np.inf]), "lat"),
        (lambda m: m.nearest([116.8], [-1.2], [116.8], [-1.2], "away"), "direction"),
        (lambda m: m.nearest([], [], [116.8], [-1.2]), "source_lon"),
        (lambda m: m.nearest_source([], []), "source_lon"),
        (lambda m: m.hours_from_sources([116.8], [np.nan]), "source_lat"),
        (lambda m: m.search(116.8, -1.2).hours(m.attach([116.8], [-1.2]), [116.8, 117.0], [-1.2, -1.3]), "lon"),
    ],
)
def test_bad_input_raises_input_error_naming_the_field(net, call, field):
    with pytest.raises(InputError) as error:
        call(net)
    assert error.value.field == field
