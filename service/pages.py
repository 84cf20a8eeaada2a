"""The HTML pages (placeholder: replaced by the pages implementation)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("pages", __name__)
