"""Lazy public names of a package: imported from their module on first use, so that importing the package is cheap."""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from importlib import import_module


def lazy_exports(package: str, exports: Mapping[str, str]) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """Return the module ``__getattr__`` and ``__dir__`` of `package` that import each name of `exports` on first use.

    Parameters
    ----------
    package
        The package's ``__name__``.
    exports
        Each public name and the module that defines it.
    """

    def getattr_(name: str) -> object:
        if name not in exports:
            msg = f"module {package!r} has no attribute {name!r}"
            raise AttributeError(msg)
        value = getattr(import_module(exports[name]), name)
        setattr(sys.modules[package], name, value)  # imported once: later uses find it directly
        return value

    def dir_() -> list[str]:
        return sorted([*vars(sys.modules[package]), *exports])

    return getattr_, dir_
