"""`rujuk serve --workers 2` (gunicorn): a directory write through one worker is answered by the other.

The service runs as a real subprocess on a copy of the seeded SQLite database. Which worker holds a
connection is read from Linux's ``/proc`` (the worker whose socket has the connection's port as its peer),
so the test knows that it asked both workers and does not rely on chance.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cli.serve import gunicorn_can_run

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not gunicorn_can_run() or not Path("/proc/net/tcp").exists(), reason="gunicorn on Linux"),
]

REPO = Path(__file__).resolve().parents[2]
QUESTION = "/api/v1/referrals?at=Tenggarong&needs=shelter&k=10"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def socket_inodes(pid: int) -> set[str]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:  # closed meanwhile
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    return inodes


def worker_of(connection: http.client.HTTPConnection, workers: list[int]) -> int:
    """The worker process whose accepted socket is the other end of `connection`."""
    assert connection.sock is not None
    client_port = connection.sock.getsockname()[1]
    peers = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local_port, remote_port, inode = int(fields[1].split(":")[1], 16), int(fields[2].split(":")[1], 16), fields[9]
        if remote_port == client_port and local_port != client_port:
            peers.add(inode)
    owners = [pid for pid in workers if socket_inodes(pid) & peers]
    assert len(owners) == 1, (client_port, owners)
    return owners[0]


def children(pid: int) -> list[int]:
    found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return sorted(int(child) for child in found)


@pytest.fixture(scope="module")
def two_workers(seeded_engine, tmp_path_factory):
    """A copy of the seeded database with an editor, served by `rujuk serve --workers 2`: (port, master, token)."""
    from accounts import users
    from core import db

    database = tmp_path_factory.mktemp("workers") / "rujuk.sqlite"
    shutil.copy(seeded_engine.url.database, database)
    engine = db.get_engine(f"sqlite:///{database}")
    users.create_user(engine, "eko.editor", "sambal matah 2024", "editor")
    token = users.create_token(engine, "eko.editor", "workers test")
    engine.dispose()
    port = free_port()
    environment = {**os.environ, "RUJUK_DATABASE_URL": f"sqlite:///{database}"}
    command = [sys.executable, "-c", "import cli; cli.main()", "serve", "--workers", "2", "--threads", "2"]
    master = subprocess.Popen(
        [*command, "--port", str(port)], cwd=REPO, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 180
        while True:
            assert master.poll() is None, master.stdout.read().decode() if master.stdout else master.returncode
            try:
                probe = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                probe.request("GET", "/api/v1/health")
                if probe.getresponse().status == 200 and len(children(master.pid)) == 2:
                    probe.close()
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "the service did not start"
            time.sleep(0.5)
        yield port, master.pid, token
    finally:
        master.terminate()
        master.wait(timeout=60)


def connection_per_worker(port: int, workers: list[int]) -> dict[int, http.client.HTTPConnection]:
    """Open keep-alive connections until each worker holds one; return one per worker.

    A worker still loading the application accepts nothing yet, so the connections are opened over up to two
    minutes (a busy machine), not all at once.
    """
    held: dict[int, http.client.HTTPConnection] = {}
    spare = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if spare:
            time.sleep(0.2)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        connection.request("GET", "/api/v1/health")
        connection.getresponse().read()
        owner = worker_of(connection, workers)
        if owner in held:
            spare.append(connection)  # kept open, so that the next one is accepted by another worker
        else:
            held[owner] = connection
        if len(held) == len(workers):
            break
    for connection in spare:
        connection.close()
    assert sorted(held) == workers
    return held


def ask(connection, workers, method, path, headers=None, body=None) -> tuple[int, int, http.client.HTTPResponse, bytes]:
    """Send one request on `connection`; return (worker that answered, status, response, body)."""
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    data = response.read()
    return worker_of(connection, workers), response.status, response, data


def candidate_ids(data: bytes) -> list[str]:
    return [candidate["id"] for candidate in json.loads(data)["candidates"]]


def test_a_retirement_through_one_worker_is_answered_by_the_other(two_workers):
    port, master, token = two_workers
    workers = children(master)
    assert len(workers) == 2
    held = connection_per_worker(port, workers)
    before = {}
    for pid, connection in held.items():  # each worker builds its own referral engine
        owner, status, _, data = ask(connection, workers, "GET", QUESTION)
        assert (owner, status) == (pid, 200)
        before[pid] = candidate_ids(data)
    first, second = workers
    assert before[first] == before[second]
    retired = before[first][0]

    editor = {"Authorization": f"Bearer {token}"}
    _, status, response, _ = ask(held[first], workers, "GET", f"/api/v1/agencies/{retired}", editor)
    assert status == 200
    headers = {**editor, "If-Match": response.headers["ETag"], "Content-Type": "application/json"}
    owner, status, _, _ = ask(held[first], workers, "POST", f"/api/v1/agencies/{retired}/retire", headers, b"{}")
    assert (owner, status) == (first, 200)

    for pid in (second, first):
        owner, status, _, data = ask(held[pid], workers, "GET", QUESTION)
        assert (owner, status) == (pid, 200)
        assert retired not in candidate_ids(data), pid
        assert candidate_ids(data)[0] == before[pid][1]  # the next one moves up
    for connection in held.values():
        connection.close()


def test_a_write_to_the_database_itself_is_answered_by_both_workers(two_workers):
    from sqlalchemy import text

    from core import db

    port, master, _ = two_workers
    workers = children(master)
    held = connection_per_worker(port, workers)
    before = {pid: candidate_ids(ask(c, workers, "GET", QUESTION)[3]) for pid, c in held.items()}
    top = before[workers[0]][0]
    engine = db.get_engine(database_url(master))  # the command line or another program, not a worker
    with engine.begin() as connection:
        connection.execute(text("UPDATE agencies SET retired_on = '2000-01-01' WHERE id = :id"), {"id": top})
    engine.dispose()
    for pid, connection in held.items():
        owner, status, _, data = ask(connection, workers, "GET", QUESTION)
        assert (owner, status) == (pid, 200)
        assert top not in candidate_ids(data)
        assert candidate_ids(data)[0] == before[pid][1]
        connection.close()


def database_url(pid: int) -> str:
    """The RUJUK_DATABASE_URL the process `pid` was started with."""
    environment = Path(f"/proc/{pid}/environ").read_text().split("\0")
    return dict(item.split("=", 1) for item in environment if "=" in item)["RUJUK_DATABASE_URL"]
