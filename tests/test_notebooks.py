"""The notebooks in notebooks/ run from top to bottom on the embedded default data, so they cannot rot."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from core import settings

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
pytestmark = pytest.mark.slow


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_the_notebook_runs_on_the_embedded_default_data(path, tmp_path, monkeypatch):
    data = tmp_path / "data"
    data.mkdir()
    (data / "boundaries").symlink_to(Path(settings.data_dir) / "boundaries")  # built once by the session, reused
    monkeypatch.setenv("RUJUK_DATA_DIR", str(data))  # the kernel writes its own database here, not the checkout's
    monkeypatch.delenv("RUJUK_DATABASE_URL", raising=False)
    # the kernel runs in another folder: a relative mirror path (the README's ../shared/data) must not move with it
    monkeypatch.setenv("RUJUK_DATA_MIRROR", str(settings.data_mirror))
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": tmp_path}}).execute()
    errors = [out for cell in notebook.cells for out in cell.get("outputs", []) if out.get("output_type") == "error"]
    assert errors == []
    assert (data / "rujuk.sqlite").is_file()


def test_there_are_a_referral_and_a_coverage_notebook():
    assert {p.stem for p in NOTEBOOKS} >= {"referral", "coverage"}
