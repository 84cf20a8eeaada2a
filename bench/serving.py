"""Start the real service, ``rujuk serve``, in a process of its own, for the HTTP benchmarks."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
UNLIMITED = "1000000 per minute"
"""The rate limits while benchmarking: a benchmark is one client asking many questions."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(database_url: str, workers: int, threads: int) -> tuple[subprocess.Popen, int]:
    """Start ``rujuk serve`` on `database_url` with the rate limits raised; return it and its port when it answers."""
    port = free_port()
    limits = ("RUJUK_REFERRAL_RATE_LIMIT", "RUJUK_MAP_LAYER_RATE_LIMIT", "RUJUK_AREAS_RATE_LIMIT")
    environment = {**os.environ, "RUJUK_DATABASE_URL": database_url, **dict.fromkeys(limits, UNLIMITED)}
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    command = [sys.executable, "-c", "import cli; cli.main()", "serve", "--workers", str(workers)]
    server = subprocess.Popen(
        [*command, "--threads", str(threads), "--port", str(port)], cwd=REPO, env=environment, stdout=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"rujuk serve --workers {workers} stopped with {server.returncode}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/api/v1/health")
            if connection.getresponse().status == 200:
                connection.close()
                return server, port
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise SystemExit("the service did not answer within 300 s")
