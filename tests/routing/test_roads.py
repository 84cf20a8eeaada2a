"""RoadNetwork on the real OSM drive networks of Balikpapan and Jakarta, checked against networkx."""

from __future__ import annotations

import itertools
import math
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import numpy as np
import pyrosm
import pytest
import shapely
from pyrosm.pbf_export import write_pbf_from_records

from core import settings
from core.errors import InputError
from routing.national import great_circle_km
from routing.roads import RoadNetwork
from routing.travel import TravelModel

FERRY_XML = Path(__file__).parent / "fixtures" / "ferry_crossing.osm"  # hand-written: roads 1-3 and 4-7, ferry 3-4
GRAPHS = ["balikpapan_kota", "jakarta_jatinegara", "jakarta_kelapa_gading", "balikpapan_klandasan_ilir"]


@pytest.fixture(scope="session", params=GRAPHS[:2])
def any_node(request) -> RoadNetwork:
    """A network that snaps to any node, so a query at a node's coordinates starts at that node."""
    return RoadNetwork.from_file(f"osm/{request.param}_drive_simplified.graphml", snap_to="any")


@pytest.fixture(scope="session")
def balikpapan() -> RoadNetwork:
    return RoadNetwork.from_file("osm/balikpapan_kota_drive_simplified.graphml")


def _near_the_roads(net: RoadNetwork, count: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Random points up to ~200 m from random nodes, as geocoded addresses are."""
    rng = np.random.default_rng(seed)
    node = rng.choice(len(net.node_ids), count)
    return net.lon[node] + rng.uniform(-0.0015, 0.0015, count), net.lat[node] + rng.uniform(-0.0015, 0.0015, count)


def _nodes_with_unique_coordinates(net: RoadNetwork) -> np.ndarray:
    _, first, count = np.unique(np.column_stack([net.lon, net.lat]), axis=0, return_index=True, return_counts=True)
    return np.sort(first[count == 1])


def _networkx_seconds(net: RoadNetwork, origins: np.ndarray, destinations: np.ndarray) -> np.ndarray:
    expected = np.full((len(origins), len(destinations)), np.inf)
    for i, origin in enumerate(origins):
        lengths = nx.single_source_dijkstra_path_length(net.graph, net.node_ids[origin], weight="travel_time")
        expected[i] = [lengths.get(net.node_ids[d], np.inf) for d in destinations]
    return expected


@pytest.mark.parametrize(("origins", "destinations"), [(6, 60), (60, 6)])  # forward and reversed search
def test_travel_times_equal_networkx_for_random_node_pairs(any_node, origins, destinations):
    rng = np.random.default_rng(origins)
    nodes = _nodes_with_unique_coordinates(any_node)
    o, d = rng.choice(nodes, origins, replace=False), rng.choice(nodes, destinations, replace=False)
    result = any_node.matrix(any_node.lon[o], any_node.lat[o], any_node.lon[d], any_node.lat[d])
    expected = _networkx_seconds(any_node, o, d)
    assert result.time_h.shape == (origins, destinations)
    np.testing.assert_allclose(result.time_h * 3600, expected, rtol=1e-12, atol=1e-9)
    assert result.model == any_node.name and result.is_estimate is False


def test_unreachable_pairs_are_inf_not_an_error(any_node):
    # Nodes outside the largest strongly connected component cannot reach all of it.
    components = sorted(nx.strongly_connected_components(any_node.graph), key=len)
    small, large = next(iter(components[0])), next(iter(components[-1]))
    position = {node: i for i, node in enumerate(any_node.node_ids)}
    pair = np.array([position[small], position[large]])
    result = any_node.matrix(any_node.lon[pair], any_node.lat[pair], any_node.lon[pair], any_node.lat[pair])
    no_path = [not nx.has_path(any_node.graph, a, b) for a in (small, large) for b in (small, large)]
    assert any(no_path)
    np.testing.assert_array_equal(np.isinf(result.time_h).ravel(), no_path)
    np.testing.assert_array_equal(np.isinf(result.distance_km), np.isinf(result.time_h))


@pytest.mark.parametrize(("origins", "destinations"), [(5, 8), (8, 3)])  # forward and reversed search
def test_distance_is_the_length_of_the_fastest_path(any_node, origins, destinations):
    rng = np.random.default_rng(origins)
    largest = max(nx.strongly_connected_components(any_node.graph), key=len)
    position = {node: i for i, node in enumerate(any_node.node_ids)}
    unique = set(_nodes_with_unique_coordinates(any_node))
    nodes = np.array([position[node] for node in largest if position[node] in unique])
    o, d = rng.choice(nodes, origins, replace=False), rng.choice(nodes, destinations, replace=False)
    result = any_node.matrix(any_node.lon[o], any_node.lat[o], any_node.lon[d], any_node.lat[d])
    for i, origin in enumerate(any_node.node_ids[o]):
        paths = nx.single_source_dijkstra_path(any_node.graph, origin, weight="travel_time")
        for j, destination in enumerate(any_node.node_ids[d]):
            path = paths[destination]
            metres = sum(
                min(any_node.graph[a][b].values(), key=lambda e: e["travel_time"])["length"]
                for a, b in itertools.pairwise(path)
            )
            assert result.distance_km[i, j] == pytest.approx(metres / 1000, rel=1e-9, abs=1e-12)


def test_points_near_the_road_reach_each_other_through_the_largest_component(balikpapan):
    lon, lat = _near_the_roads(balikpapan, 200, seed=2)
    snap = balikpapan.snap(lon, lat)
    assert snap.covered.all()
    result = balikpapan.matrix(lon, lat, lon[:10], lat[:10])
    assert np.isfinite(result.time_h).all()
    # The access legs are part of the answer: walking to the road costs time.
    assert result.time_h[0, 0] == pytest.approx(2 * snap.km[0] / settings.access_speed_kmh)


def test_points_far_from_the_network_are_inf_and_not_covered(balikpapan):
    jakarta = (106.85, -6.2)
    assert not balikpapan.covers(*jakarta)[0]
    result = balikpapan.matrix(jakarta[0], jakarta[1], 116.84, -1.26)
    assert np.isinf(result.time_h).all() and np.isinf(result.distance_km).all()
    assert not balikpapan.route(jakarta, (116.84, -1.26)).reachable


@pytest.mark.parametrize("snap_km", [0.2, 1.0, 5.0])
def test_the_cheap_bounds_test_never_rejects_a_covered_point(monkeypatch, balikpapan, snap_km):
    monkeypatch.setattr(settings, "road_snap_max_km", snap_km)
    rng = np.random.default_rng(7)
    west, south, east, north = balikpapan._bounds
    margin = 3 * snap_km / 111.0  # points up to three snap distances beyond the nodes' box on every side
    lon = rng.uniform(west - margin, east + margin, 4000)
    lat = rng.uniform(south - margin, north + margin, 4000)
    covered = balikpapan.snap(lon, lat).covered
    may = np.array([balikpapan.may_cover(x, y) for x, y in zip(lon, lat, strict=True)])
    assert covered.any() and (~may).any()  # both kinds are in the sample
    assert not (covered & ~may).any()
    assert not balikpapan.may_cover(106.85, -6.2)  # Jakarta


def _geodesic_km(line: shapely.LineString) -> float:
    x, y = shapely.get_coordinates(line).T
    return float(great_circle_km(x[:-1], y[:-1], x[1:], y[1:]).sum())


def test_route_geometry_runs_between_the_snapped_nodes_and_matches_the_distance(balikpapan):
    lon, lat = _near_the_roads(balikpapan, 20, seed=3)
    snap = balikpapan.snap(lon, lat)
    matrix = balikpapan.matrix(lon[:10], lat[:10], lon[10:], lat[10:])
    for i in range(10):
        route = balikpapan.route((lon[i], lat[i]), (lon[10 + i], lat[10 + i]))
        road = next(leg for leg in route.legs if leg.mode == "road")
        start, end = snap.node[i], snap.node[10 + i]
        coords = shapely.get_coordinates(road.geometry)
        np.testing.assert_allclose(coords[0], [balikpapan.lon[start], balikpapan.lat[start]], atol=1e-12)
        np.testing.assert_allclose(coords[-1], [balikpapan.lon[end], balikpapan.lat[end]], atol=1e-12)
        assert _geodesic_km(road.geometry) == pytest.approx(road.distance_km, rel=1e-4)
        door_to_door = shapely.get_coordinates(route.geometry)[[0, -1]]
        np.testing.assert_allclose(door_to_door, [[lon[i], lat[i]], [lon[10 + i], lat[10 + i]]])
        assert route.time_h == pytest.approx(matrix.time_h[i, i], rel=1e-12)
        assert route.distance_km == pytest.approx(matrix.distance_km[i, i], rel=1e-12)


@pytest.mark.parametrize("direction", ["to_sources", "from_sources"])
def test_nearest_source_equals_networkx_multi_source_dijkstra(any_node, direction):
    rng = np.random.default_rng(4)
    sources = rng.choice(_nodes_with_unique_coordinates(any_node), 20, replace=False)
    result = any_node.nearest(any_node.lon[sources], any_node.lat[sources], any_node.lon, any_node.lat, direction)
    graph = any_node.graph.reverse(copy=False) if direction == "to_sources" else any_node.graph
    seconds, paths = nx.multi_source_dijkstra(graph, set(any_node.node_ids[sources]), weight="travel_time")
    expected = np.array([seconds.get(node, np.inf) for node in any_node.node_ids])
    np.testing.assert_allclose(result.time_h * 3600, expected, rtol=1e-12, atol=1e-9)
    which = {node: i for i, node in enumerate(any_node.node_ids[sources])}
    expected_source = [which[paths[node][0]] if node in paths else -1 for node in any_node.node_ids]
    np.testing.assert_array_equal(result.source, expected_source)
    assert np.isinf(expected).any() == (result.source == -1).any()


def test_speeds_are_filled_for_edges_without_maxspeed(balikpapan):
    edges = list(balikpapan.graph.edges(data=True))
    assert all(math.isfinite(d["speed_kph"]) and d["speed_kph"] > 0 for *_, d in edges)
    assert all(math.isfinite(d["travel_time"]) and d["travel_time"] > 0 for *_, d in edges)
    speeds = settings.default_speed_kmh_by_highway
    for *_, d in edges:
        highway = d["highway"][0] if isinstance(d["highway"], list) else d["highway"]
        if "maxspeed" not in d:
            assert d["speed_kph"] == speeds[highway.removesuffix("_link")]
        elif isinstance(d["maxspeed"], str):
            assert d["speed_kph"] == float(d["maxspeed"])


def test_speeds_are_read_from_settings_when_the_network_is_built(monkeypatch, balikpapan):
    monkeypatch.setitem(settings.default_speed_kmh_by_highway, "residential", 40.0)
    faster = RoadNetwork(balikpapan.graph, "faster")
    u, v, k, d = next(e for e in balikpapan.graph.edges(keys=True, data=True) if e[3]["highway"] == "residential")
    assert "maxspeed" not in d
    assert faster.graph.edges[u, v, k]["travel_time"] == pytest.approx(d["travel_time"] / 2)


def test_ferry_edges_run_at_ferry_speed_with_a_boarding_delay(balikpapan):
    graph = balikpapan.graph.copy()
    u, v, k = next(iter(graph.edges(keys=True)))
    graph.edges[u, v, k]["route"] = "ferry"
    ferry = RoadNetwork(graph, "ferry").graph.edges[u, v, k]
    hours = ferry["length"] / 1000 / settings.ferry_speed_kmh + settings.ferry_boarding_h
    assert ferry["travel_time"] == pytest.approx(hours * 3600)


def test_road_network_is_a_travel_model(balikpapan):
    assert isinstance(balikpapan, TravelModel)


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda net: net.matrix([np.nan], [-1.26], [116.84], [-1.26]), "origin_lon"),
        (lambda net: net.matrix([116.84], [-1.26], [], []), "destination_lon"),
        (lambda net: net.matrix([116.84], [-1.26], [116.84], [95.0]), "destination_lat"),
        (lambda net: net.route((116.84, float("nan")), (116.84, -1.26)), "origin_lat"),
        (lambda net: net.nearest([], [], [116.84], [-1.26]), "source_lon"),
        (lambda net: net.nearest([116.84], [-1.26], [116.84], [-1.26], "both"), "direction"),
        (lambda net: RoadNetwork.from_file("osm/atlantis_drive.graphml"), "path"),
        (lambda net: RoadNetwork.from_file(__file__), "path"),
        (lambda net: RoadNetwork(net.graph, snap_to="nearest"), "snap_to"),
    ],
)
def test_bad_input_raises_input_error_naming_the_field(balikpapan, call, field):
    with pytest.raises(InputError) as error:
        call(balikpapan)
    assert error.value.field == field


def test_pbf_extract_loads_into_the_same_model():
    net = RoadNetwork.from_file(pyrosm.get_data("test_pbf"), snap_to="any")
    assert net.name == "road:test"
    nodes = _nodes_with_unique_coordinates(net)[:30]
    result = net.matrix(net.lon[nodes], net.lat[nodes], net.lon[nodes], net.lat[nodes])
    np.testing.assert_allclose(result.time_h * 3600, _networkx_seconds(net, nodes, nodes), rtol=1e-12, atol=1e-9)
    assert np.isfinite(result.time_h).sum() > len(nodes)


def _fixture_as_pbf(folder: Path) -> Path:
    """Write the hand-written XML fixture as an .osm.pbf with pyrosm's writer (same nodes, ways and tags)."""
    root = ET.parse(FERRY_XML).getroot()
    nodes = root.findall("node")
    columns = {"id": np.array([int(n.get("id")) for n in nodes])}
    columns |= {axis: np.array([float(n.get(axis)) for n in nodes]) for axis in ("lat", "lon")}
    columns["tags"] = np.array([{} for _ in nodes], dtype=object)
    ways = [
        {
            "id": int(w.get("id")),
            "refs": np.array([int(r.get("ref")) for r in w.findall("nd")]),
            "tags": {t.get("k"): t.get("v") for t in w.findall("tag")},
        }
        for w in root.findall("way")
    ]
    path = folder / "ferry_crossing.osm.pbf"
    write_pbf_from_records(columns, ways, [], str(path), (116.7, -1.3, 116.9, -1.2))
    return path


def _node(net: RoadNetwork, osm_id: int) -> tuple[float, float]:
    i = int(np.flatnonzero(net.node_ids == osm_id)[0])
    return float(net.lon[i]), float(net.lat[i])


def test_osm_xml_loads_roads_with_class_speeds_and_one_way_streets():
    net = RoadNetwork.from_file(FERRY_XML, snap_to="any")
    assert net.name == "road:ferry_crossing" and not net.is_estimate
    assert set(net.node_ids) == {1, 3, 4, 7}  # simplified: the interstitial nodes 2, 5 and 6 are gone
    speeds = settings.default_speed_kmh_by_highway
    for u, v, highway, speed in [(1, 3, "residential", speeds["residential"]), (4, 7, "primary", speeds["primary"])]:
        edge = net.graph.edges[u, v, 0]
        assert edge["highway"] == highway and edge["speed_kph"] == speed
        assert edge["travel_time"] == pytest.approx(edge["length"] / 1000 / speed * 3600)
        assert edge["length"] == pytest.approx(_geodesic_km(edge["geometry"]) * 1000, rel=1e-6)  # along the way
    assert net.graph.has_edge(3, 1) and not net.graph.has_edge(7, 4)  # oneway=yes on the primary road
    there = net.matrix(*_node(net, 1), *_node(net, 7))
    back = net.matrix(*_node(net, 7), *_node(net, 1))
    assert np.isfinite(there.time_h[0, 0]) and np.isinf(back.time_h[0, 0])


@pytest.mark.parametrize("reader", ["xml", "pbf"])
def test_ferry_ways_get_ferry_speed_and_a_boarding_delay_and_are_sea_legs(reader, tmp_path):
    net = RoadNetwork.from_file(FERRY_XML if reader == "xml" else _fixture_as_pbf(tmp_path), snap_to="any")
    boarding_s = settings.ferry_boarding_h * 3600
    for u, v in [(3, 4), (4, 3)]:
        [ferry] = net.graph[u][v].values()
        assert ferry["route"] == "ferry"
        assert ferry["speed_kph"] == settings.ferry_speed_kmh
        hours = ferry["length"] / 1000 / settings.ferry_speed_kmh
        assert ferry["travel_time"] == pytest.approx(hours * 3600 + boarding_s)
    roads = [d for *_, d in net.graph.edges(data=True) if d.get("route") != "ferry"]
    assert roads and all(d["speed_kph"] in settings.default_speed_kmh_by_highway.values() for d in roads)
    route = net.route(_node(net, 1), _node(net, 7))
    assert [leg.mode for leg in route.legs] == ["road", "ferry", "road"]
    assert not any(leg.estimated for leg in route.legs)  # mapped roads and a mapped ferry
    sea = route.legs[1]
    assert sea.time_h == pytest.approx(net.graph.edges[3, 4, 0]["travel_time"] / 3600)
    assert route.time_h == pytest.approx(net.matrix(*_node(net, 1), *_node(net, 7)).time_h[0, 0], rel=1e-12)


def test_ferry_boarding_time_comes_from_its_environment_variable():
    environment = {**os.environ, "RUJUK_FERRY_BOARDING_H": "0.75"}
    code = "from core import settings; print(settings.ferry_boarding_h)"
    command = [sys.executable, "-c", code]
    started = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
    assert started.stdout == "0.75\n"


def test_a_ferry_in_a_list_valued_route_still_counts(balikpapan):
    graph = balikpapan.graph.copy()
    u, v, k = next(iter(graph.edges(keys=True)))
    graph.edges[u, v, k]["route"] = ["bus", "ferry"]  # as simplification leaves merged ways
    ferry = RoadNetwork(graph, "ferry").graph.edges[u, v, k]
    hours = ferry["length"] / 1000 / settings.ferry_speed_kmh + settings.ferry_boarding_h
    assert ferry["travel_time"] == pytest.approx(hours * 3600)
