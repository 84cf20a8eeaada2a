"""The JSON API under ``/api/v1``.

Modules: :mod:`service.api.routes` (the blueprint and its read routes),
:mod:`service.api.directory` (directory reads and writes), :mod:`service.api.versions` (ETag and If-Match),
:mod:`service.api.openapi` (the OpenAPI document), :mod:`service.api.cache` (answers kept per data version,
HTTP caching) and :mod:`service.api.common` (parameters, errors). Routes are thin: parse, make one call, render.
"""
