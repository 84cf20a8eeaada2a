"""Sign-in, roles and API tokens (placeholder: replaced by the auth implementation)."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("auth", __name__)


def init_app(app: Flask) -> None:
    """Configure sessions, CSRF protection and the current user for `app`."""
