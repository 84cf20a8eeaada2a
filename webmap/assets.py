"""Offline web assets (placeholder: replaced by the assets implementation)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("assets", __name__)
