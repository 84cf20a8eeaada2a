"""The service's JSON responses, encoded by msgspec: Flask's output, several times faster.

A referral's answer carries every listed agency's route (a few hundred coordinates) and a
coverage layer thousands of areas: with the standard library's encoder the encoding was
a fifth of a referral request's time on the server. :class:`FastJSONProvider` keeps
Flask's form (keys sorted, compact, a final newline, non-ASCII text as UTF-8) and encodes
with ``msgspec.json``; a value msgspec does not know (a dataclass it does, a ``Markup``
it does not) goes through Flask's own ``default``. Two outputs differ from Flask's, both
for the better: a ``date`` is ISO 8601 (``"2026-12-07"``, as the API reads it; Flask
wrote an HTTP date), and a non-finite number is ``null`` (Flask wrote ``NaN``, which is
not JSON). Indented output (debug mode, ``compact = False``) and ``dumps`` with keyword
arguments stay Flask's.
"""

from __future__ import annotations

from typing import Any, cast

import msgspec
from flask import Response
from flask.json.provider import DefaultJSONProvider
from werkzeug.sansio.response import Response as BaseResponse


class FastJSONProvider(DefaultJSONProvider):
    """Flask's :class:`~flask.json.provider.DefaultJSONProvider`, encoding with msgspec (module notes)."""

    ensure_ascii = False
    _encoder = msgspec.json.Encoder(enc_hook=DefaultJSONProvider.default, order="sorted")

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        """Return `obj` as JSON text; with keyword arguments (``indent``...), as Flask's provider does."""
        if kwargs:
            return super().dumps(obj, **kwargs)
        return self._encoder.encode(obj).decode()

    def response(self, *args: Any, **kwargs: Any) -> BaseResponse:
        """Return a JSON response of the arguments, as :meth:`DefaultJSONProvider.response` does."""
        if (self.compact is None and self._app.debug) or self.compact is False:
            return super().response(*args, **kwargs)
        body = self._encoder.encode(self._prepare_response_obj(args, kwargs)) + b"\n"
        response_class = cast("type[Response]", self._app.response_class)  # a Flask app's: it takes a body
        return response_class(body, mimetype=self.mimetype)
