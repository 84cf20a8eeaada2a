"""Load on loopback: 20 clients for 30 s, referrals and map data mixed, one process against worker processes.

The service is started as ``rujuk serve`` in a subprocess twice, one after the other, on the same
database: once as one waitress process (``--workers 1``, the single-process figure) and once as
gunicorn worker processes (``--workers 2``). Each is warmed (every map-data URL asked by every
client, referrals from every client) and then loaded by ``--clients`` closed-loop clients
(no think time) for ``--seconds``, ``--runs`` times:

* **referral** (``--referral-share`` of the requests, default half): ``GET /api/v1/referrals`` from a
  random point inside a random district, for one of a few sets of needs, ``k=10``;
* **map data**: one of the URLs the national map page loads (``/map/national`` is read at the
  start and every ``"url": "/api/v1/..."`` in it taken: boundaries, agencies, the coverage layer of
  every capability, hot spots), as a browser without a cached copy asks them (``Accept-Encoding:
  gzip``, no ``If-None-Match``: the worst case; a revalidating browser gets a 304).

The load generator is this process: one thread per client, each with its own keep-alive
``http.client`` connection (the standard library, no dependency; the threads wait on sockets
with the interpreter lock released, and its own CPU time is printed so that its share of the two
cores is seen). A request counts as an error when it raises or answers anything but 200. The rate
limits are raised for the servers through ``RUJUK_REFERRAL_RATE_LIMIT``, ``RUJUK_MAP_LAYER_RATE_LIMIT``
and ``RUJUK_AREAS_RATE_LIMIT`` (20 clients from one address would be refused within seconds).

Each run prints requests per second, errors, and p50/p95/p99 per kind of route; the summary gives
min/median/max over the runs. Goal (issue 13, this 2-core machine): 0 errors, referral p99 under
100 ms, at least 300 requests/s with the workers.

Run: ``RUJUK_DATA_MIRROR=../shared/data python bench/bench_load.py [--clients 20] [--seconds 30] [--runs 3]
[--workers 2] [--database-url postgresql+psycopg://...]`` (default: a fresh SQLite file in a temporary folder,
prepared with the sample directory; a given database is prepared the same way when empty).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import statistics
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import numpy as np
from bench_referral import points_in_districts
from serving import start_server

from core import db
from store.prepare import prepare

GOAL_REFERRAL_P99_MS = 100.0
GOAL_REQUESTS_PER_S = 300.0
NEEDS = (["shelter"], ["psychological"], ["shelter", "psychological", "legal_aid"], ["medical", "forensic_exam"])
MAP_URL = re.compile(r'"url":\s*"(/api/v1/[^"]+)"')


@dataclass
class Tally:
    """What the clients of one run saw: latencies (ms) per kind, errors with a sample of them."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: {"referral": [], "map data": []})
    errors: int = 0
    samples: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, ms: float, error: str | None) -> None:
        with self.lock:
            if error is None:
                self.latencies[kind].append(ms)
            else:
                self.errors += 1
                if len(self.samples) < 5:
                    self.samples.append(f"{kind}: {error}")


def map_urls(port: int) -> list[str]:
    """Return the data URLs the national map page loads (read from the page itself)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("GET", "/map/national")
    page = connection.getresponse().read().decode("utf-8")
    connection.close()
    return sorted({json.loads(f'"{url}"') for url in MAP_URL.findall(page)})


def referral_url(point: tuple[float, float], needs: list[str]) -> str:
    x, y = point
    return f"/api/v1/referrals?{urlencode({'at': f'{y:.6f},{x:.6f}', 'needs': ','.join(needs), 'k': 10})}"


def client(port: int, plan: list[tuple[str, str]], until: float | None, tally: Tally | None) -> None:
    """Ask the requests of `plan` in turn (again from the start when done) until `until`; count them in `tally`.

    With `until` None, ask each request of `plan` once.
    """
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Accept-Encoding": "gzip"}
    i = 0
    while i < len(plan) if until is None else time.monotonic() < until:
        kind, url = plan[i % len(plan)]
        i += 1
        start = time.perf_counter()
        error = None
        try:
            connection.request("GET", url, headers=headers)
            response = connection.getresponse()
            body = response.read()
            if response.status != 200:
                error = f"HTTP {response.status} {url[:80]}: {body[:120]!r}"
        except (OSError, http.client.HTTPException) as problem:
            error = f"{type(problem).__name__}: {problem}"
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        if tally is not None:
            tally.add(kind, (time.perf_counter() - start) * 1000, error)
    connection.close()


def plans(clients: int, maps: list[str], points: list, share: float, seed: int) -> list[list[tuple[str, str]]]:
    """Return each client's sequence of requests: referrals from random points and random map-data URLs."""
    rng = random.Random(seed)
    every = []
    for _ in range(clients):
        plan = []
        for _ in range(4000):
            if rng.random() < share:
                plan.append(("referral", referral_url(rng.choice(points), rng.choice(NEEDS))))
            else:
                plan.append(("map data", rng.choice(maps)))
        every.append(plan)
    return every


def load(port: int, every: list[list[tuple[str, str]]], seconds: float, tally: Tally | None) -> float:
    """Run one client thread per plan for `seconds`; return the seconds they took."""
    until = time.monotonic() + seconds
    threads = [threading.Thread(target=client, args=(port, plan, until, tally)) for plan in every]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - start


def warm(port: int, maps: list[str], points: list, clients: int) -> float:
    """Ask every map URL and a referral once from every client (twice over), so that every worker built its caches.

    Returns the seconds it took (the coverage layers are computed once per worker).
    """
    plan = [("map data", url) for url in maps] + [("referral", referral_url(points[0], NEEDS[0]))]
    start = time.perf_counter()
    for _ in range(2):
        threads = [threading.Thread(target=client, args=(port, plan, None, None)) for _ in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    return time.perf_counter() - start


def percentiles(ms: list[float]) -> tuple[float, float, float]:
    values = np.array(ms) if ms else np.array([np.nan])
    return tuple(float(np.percentile(values, q)) for q in (50, 95, 99))  # type: ignore[return-value]


def report(label: str, tally: Tally, elapsed: float, cpu: float) -> dict[str, float]:
    total = sum(len(ms) for ms in tally.latencies.values()) + tally.errors
    rate = total / elapsed
    load_average = os.getloadavg()[0]  # other programs on the machine take cores too: shown with every run
    print(
        f"  {label}: {total} requests in {elapsed:.1f} s = {rate:6.1f} requests/s, {tally.errors} errors "
        f"(load generator CPU {cpu / elapsed:.2f} cores; machine load average {load_average:.1f})"
    )
    figures = {"requests/s": rate, "errors": float(tally.errors)}
    for kind, ms in tally.latencies.items():
        p50, p95, p99 = percentiles(ms)
        print(f"    {kind:9s} {len(ms):6d} answers  p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  p99 {p99:7.1f} ms")
        figures[f"{kind} p99 ms"] = p99
        figures[f"{kind} p50 ms"] = p50
    for sample in tally.samples:
        print(f"    error: {sample}")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4, help="threads per process (both servers)")
    parser.add_argument("--referral-share", type=float, default=0.5)
    parser.add_argument("--database-url", help="a database to serve (default: a fresh SQLite file)")
    args = parser.parse_args()
    points = points_in_districts(2000, np.random.default_rng(13))
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'bench.sqlite'}"
        engine = db.get_engine(url)
        prepare(progress=False, engine=engine)
        engine.dispose()
        print(
            f"database {engine.url.render_as_string(hide_password=True)} ({engine.dialect.name}); "
            f"{args.clients} clients x {args.seconds:g} s x {args.runs} runs, {args.referral_share:.0%} referrals; "
            f"{os.cpu_count()} cores"
        )
        summary: dict[str, dict[str, list[float]]] = {}
        for workers in (1, args.workers):
            label = "waitress, 1 process" if workers == 1 else f"gunicorn, {workers} workers"
            label += f" x {args.threads} threads"
            server, port = start_server(url, workers, args.threads)
            try:
                maps = map_urls(port)
                if workers == 1:
                    print(f"map data: {len(maps)} URLs the national map loads, e.g. {maps[:3]}")
                print(f"  {label}: warmed in {warm(port, maps, points, args.clients):.1f} s")
                for run in range(1, args.runs + 1):
                    tally = Tally()
                    cpu = time.process_time()
                    elapsed = load(
                        port, plans(args.clients, maps, points, args.referral_share, run), args.seconds, tally
                    )
                    figures = report(f"{label}, run {run}", tally, elapsed, time.process_time() - cpu)
                    for name, value in figures.items():
                        summary.setdefault(label, {}).setdefault(name, []).append(value)
            finally:
                server.terminate()
                server.wait(timeout=60)
    print(f"over {args.runs} runs (min / median / max):")
    for label, figures in summary.items():
        print(f"  {label}")
        for name, values in figures.items():
            print(f"    {name:18s} {min(values):8.1f} / {statistics.median(values):8.1f} / {max(values):8.1f}")
    workers = summary[list(summary)[-1]]
    met = (
        max(workers["errors"]) == 0
        and max(workers["referral p99 ms"]) < GOAL_REFERRAL_P99_MS
        and min(workers["requests/s"]) >= GOAL_REQUESTS_PER_S
    )
    print(
        f"goal with {args.workers} workers (0 errors, referral p99 < {GOAL_REFERRAL_P99_MS:g} ms, "
        f">= {GOAL_REQUESTS_PER_S:g} requests/s in every run): {'met' if met else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
