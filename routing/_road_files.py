"""Reading OSM drive networks (GraphML, OSM XML, ``.osm.pbf``) and giving their edges speeds and travel times.

See :mod:`routing.roads` for the model. Ferries (``route=ferry`` ways) are read from every
format: osmnx keeps only the way tags of ``ox.settings.useful_tags_way``, which lacks
``route``, so an XML file is read with ``route`` added to them; pyrosm's driving network
holds only ``highway`` ways, so a ``.osm.pbf`` is read a second time for its
``route=ferry`` ways and the two are joined into one graph. Simplification never merges a
ferry with a road (``route`` is one of the attributes whose change ends an edge), and a
``route`` that is a list (GraphML files simplified elsewhere) counts as a ferry when
``"ferry"`` is in it.
"""

from __future__ import annotations

import ast
import warnings
from pathlib import Path

import networkx as nx
import osmnx as ox

from core import settings
from core.errors import DataUnavailableError, InputError
from geo.sources import fetch, registry

SUFFIXES: tuple[str, ...] = (".graphml", ".osm", ".xml", ".osm.pbf")
FERRY_FILTER = '["route"="ferry"]'
"""The pyrosm way filter (Overpass bracket syntax) of the ferry ways added to a ``.osm.pbf`` network."""


def read_graph(path: str | Path) -> nx.MultiDiGraph:
    """Return the drive network in `path`, unprojected (EPSG:4326), ferries included.

    Parameters
    ----------
    path
        A pinned file of ``geo/registry.txt`` (``"osm/balikpapan_kota_drive_simplified.graphml"``)
        or a local file ending in one of :data:`SUFFIXES`.

    Raises
    ------
    core.errors.InputError
        If `path` is neither, or its format is not supported.
    """
    local = fetch(str(path)) if str(path) in registry() else Path(path).expanduser()
    if not local.is_file():
        pinned = [name for name in registry() if name.startswith("osm/")]
        msg = f"is neither an existing file nor a pinned road network; the pinned ones are {pinned}."
        raise InputError("path", str(path), msg)
    name = local.name.lower()
    if name.endswith(".graphml"):
        graph = ox.load_graphml(local)
    elif name.endswith(".osm.pbf"):
        graph = _read_pbf(local)
    elif name.endswith((".osm", ".xml")):
        graph = _read_xml(local)
    else:
        raise InputError("path", str(path), f"has a format that is not supported; use a file ending in {SUFFIXES}.")
    if not ox.projection.is_projected(graph.graph.get("crs", "epsg:4326")):
        return graph
    return ox.projection.project_graph(graph, to_latlong=True)


def _read_xml(path: Path) -> nx.MultiDiGraph:
    """Return the graph of an OSM XML file with each way's ``route`` tag (osmnx drops it by default).

    ``route`` is added to ``ox.settings.useful_tags_way`` for the read only (osmnx settings
    are global: do not read two XML files in threads at once).
    """
    tags = list(ox.settings.useful_tags_way)
    ox.settings.useful_tags_way = [*tags, "route"] if "route" not in tags else tags
    try:
        graph = ox.graph_from_xml(path, retain_all=True, simplify=False)
    finally:
        ox.settings.useful_tags_way = tags
    return ox.simplify_graph(graph, edge_attrs_differ=["route"])


def _read_pbf(path: Path) -> nx.MultiDiGraph:
    """Return the graph of the driving ways and the ferry ways of a ``.osm.pbf`` extract (pyrosm)."""
    try:
        import pyrosm
    except ImportError:
        msg = f"Reading {path} needs pyrosm: `pip install pyrosm`, or convert it to .osm XML with osmium."
        raise DataUnavailableError(msg) from None
    import geopandas as gpd
    import pandas as pd

    osm = pyrosm.OSM(str(path))
    nodes, edges = osm.get_network(network_type="driving", nodes=True)
    if edges is None or len(edges) == 0:
        raise InputError("path", str(path), "holds no drivable roads; give an extract with highway ways.")
    with warnings.catch_warnings():  # most extracts have no ferry: pyrosm warns that it found no edges
        warnings.filterwarnings("ignore", "Could not find any edges", UserWarning)
        ferries = pyrosm.OSM(str(path)).get_network(network_type="driving", nodes=True, custom_filter=FERRY_FILTER)
    if ferries is not None and ferries[1] is not None and len(ferries[1]):
        nodes = gpd.GeoDataFrame(pd.concat([nodes, ferries[0]]).drop_duplicates("id"), crs=nodes.crs)
        edges = gpd.GeoDataFrame(pd.concat([edges, ferries[1]], ignore_index=True), crs=edges.crs)
    differ = {"edge_attrs_differ": ["maxspeed", "highway", "route"]}
    return osm.to_graph(nodes, edges, graph_type="networkx", retain_all=True, simplify_kwargs=differ)


def is_ferry(route: object) -> bool:
    """Return whether an edge's ``route`` value (text, a list, or a list saved as text) includes ``ferry``."""
    if isinstance(route, str) and route.startswith("["):
        try:
            route = ast.literal_eval(route)
        except (ValueError, SyntaxError):
            return False
    if isinstance(route, (list, tuple, set)):
        return "ferry" in route
    return route == "ferry"


def add_travel_times(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """Add ``speed_kph`` and ``travel_time`` (seconds) to every edge of `graph`, in place.

    Speeds come from osmnx's ``add_edge_speeds`` with the settings' speeds per highway
    class; ferry edges (:func:`is_ferry`) get ``settings.ferry_speed_kmh`` and their travel
    time ``settings.ferry_boarding_h`` more.
    """
    speeds = dict(settings.default_speed_kmh_by_highway)
    speeds |= {f"{road}_link": speed for road, speed in speeds.items() if f"{road}_link" not in speeds}
    ox.add_edge_speeds(graph, hwy_speeds=speeds)  # a ferry way has no highway tag: no speed yet
    ferries = [(u, v, k) for u, v, k, route in graph.edges(keys=True, data="route") if is_ferry(route)]
    nx.set_edge_attributes(graph, dict.fromkeys(ferries, settings.ferry_speed_kmh), "speed_kph")
    ox.add_edge_travel_times(graph)
    boarding_s = settings.ferry_boarding_h * 3600
    nx.set_edge_attributes(graph, {e: graph.edges[e]["travel_time"] + boarding_s for e in ferries}, "travel_time")
    return graph
