"""The data version: a cheap-enough digest that changes whenever anything an answer is computed from changes.

Referrals, coverage and hot spots are computed from the directory (agencies, their
services and organizations, agreements) and the case figures. :func:`data_version` is a
digest of every row of those tables and of today's date (an agency retired from a date
leaves the answers on that day), so a write through this process, another worker, the
command line or the database itself is seen by the next reader; reading the ~600 rows of
the sample database takes about 3 ms.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import Engine, select

from cases.figures import CaseFigure
from core.db import table_of
from directory.agencies import Agreement, Organization, Service, ServiceLocation


def data_version(database: Engine) -> str:
    """Return a digest of every row that coverage, hot spots and referrals are computed from, and of today's date."""
    digest = hashlib.sha256(dt.date.today().isoformat().encode())
    with database.connect() as connection:
        for model in (ServiceLocation, Service, Organization, Agreement, CaseFigure):
            table = table_of(model)
            digest.update(table.name.encode())
            for row in connection.execute(select(table).order_by(*table.primary_key.columns)):
                digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()
