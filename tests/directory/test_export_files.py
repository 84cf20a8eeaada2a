"""Export files are readable by their owner only: a full export holds the true points of safe houses."""

from __future__ import annotations

import stat

import pytest
from click.testing import CliRunner

from cli import main
from core import settings
from directory import io as directory_io


@pytest.fixture
def run(seeded_engine, monkeypatch):
    monkeypatch.setattr(settings, "database_url", seeded_engine.url.render_as_string(hide_password=False))
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(main, list(args), catch_exceptions=False, prog_name="rujuk")

    return invoke


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize(
    "command",
    [
        ("agencies", "export", "{path}.csv", "--full"),
        ("agencies", "export", "{path}.geojson", "--full"),
        ("agencies", "export", "{path}.csv"),
        ("agreements", "export", "{path}.csv"),
    ],
)
def test_an_export_file_is_created_readable_by_its_owner_only(run, tmp_path, command):
    path = tmp_path / "export"
    args = [part.format(path=path) for part in command]
    answer = run(*args)
    assert answer.exit_code == 0, answer.output
    written = tmp_path / args[2].rsplit("/", 1)[1]
    assert written.stat().st_size > 0 and _mode(written) == 0o600


def test_an_export_over_a_world_readable_file_makes_it_private(run, seeded_engine, tmp_path):
    path = tmp_path / "full.csv"
    path.write_text("old\n", encoding="utf-8")
    path.chmod(0o644)
    assert run("agencies", "export", str(path), "--full").exit_code == 0
    assert _mode(path) == 0o600 and path.read_text(encoding="utf-8").startswith('"id",')
    library = tmp_path / "library.geojson"
    directory_io.export_agencies(seeded_engine, library, public=False, include_retired=True)
    assert _mode(library) == 0o600
