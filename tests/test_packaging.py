"""An installed Rujuk serves: the wheel carries templates, static files and sample data, and runs outside a checkout.

The wheel is built from this checkout (``python -m build --no-isolation``), installed without
its dependencies into a folder of its own (the dependencies come from the test environment),
and ``rujuk serve`` is started from another folder with no ``RUJUK_DATA_DIR``: the data then go
to the user's data folder (``XDG_DATA_HOME`` points it into the test's folder).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import sysconfig
import time
import zipfile
from pathlib import Path
from urllib.request import urlopen

import pytest

from core import settings

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    source = out / "source"  # a copy, so that the build leaves no build/ or egg-info in the checkout
    skipped = (".git", ".venv", "node_modules", "data", "build", "*.egg-info", "__pycache__", ".pytest_cache")
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(*skipped))
    command = [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(source)]
    subprocess.run(command, check=True, capture_output=True, text=True, timeout=300)
    return next(out.glob("rujuk-*.whl"))


def test_the_wheel_carries_templates_static_files_and_sample_data(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    for wanted in (
        "service/pages/templates/base.html",
        "service/pages/static/rujuk.css",
        "webmap/static/webmap/rujuk-map.js",
        "directory/sample/agencies.csv",
        "cases/sample/figures.csv",
        "geo/registry.txt",
        "store/migrations/env.py",  # the Alembic revisions that `rujuk data build` runs
        "store/migrations/script.py.mako",
        "store/migrations/versions/schema_0004_agencies_without_a_place.py",
    ):
        assert wanted in names
    assert any(name.startswith("webmap/static/vendor/leaflet@") for name in names)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_rujuk_serves_from_the_installed_wheel_outside_the_checkout(wheel, tmp_path):
    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(site), str(wheel)],
        check=True,
        timeout=300,
    )
    data = tmp_path / "xdg" / "rujuk"
    data.mkdir(parents=True)
    (data / "boundaries").symlink_to(Path(settings.data_dir) / "boundaries")  # built once by the session, reused
    environment = {key: value for key, value in os.environ.items() if not key.startswith("RUJUK_")}
    # -S: no site processing, so the checkout's editable install (a .pth finder) is not active; the dependencies
    # come from the test environment's site-packages, named after the installed wheel
    dependencies = next(p for p in map(Path, sysconfig_paths()) if p.name == "site-packages")
    environment |= {
        "PYTHONPATH": f"{site}{os.pathsep}{dependencies}",
        "XDG_DATA_HOME": str(tmp_path / "xdg"),
        "RUJUK_TILE_URL": "none",
        "RUJUK_DATA_MIRROR": str(settings.data_mirror),
    }
    where = subprocess.run(
        [
            sys.executable,
            "-S",
            "-c",
            "import geo, service.api as a, routing.engine; print(geo.__file__, a.__file__)",
        ],
        env=environment,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert all(path.startswith(str(site)) for path in where.stdout.split())  # the installed copy, not the checkout
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-S", "-c", "from cli import main; main()", "serve", "--port", str(port)],
        env=environment,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            try:
                with urlopen(f"http://127.0.0.1:{port}/api/v1/health", timeout=5) as answer:
                    assert answer.status == 200
                    break
            except OSError:
                assert server.poll() is None, server.stdout.read().decode() if server.stdout else ""
                time.sleep(1)
        with urlopen(f"http://127.0.0.1:{port}/?lang=en", timeout=30) as page:
            assert page.status == 200 and "Rujuk" in page.read().decode()
        with urlopen(f"http://127.0.0.1:{port}/static/webmap/rujuk-map.js", timeout=30) as script:
            assert script.status == 200
        assert (data / "rujuk.sqlite").is_file()  # the user's data folder, not the checkout
    finally:
        server.terminate()
        server.wait(timeout=30)


def sysconfig_paths() -> list[str]:
    """Return the library folders of the test environment (where the dependencies are installed)."""
    return [sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]]
