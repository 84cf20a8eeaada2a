"""The Alembic revisions of the service database's schema (run by :func:`store.schema.init_db`).

``env.py`` is Alembic's environment; ``versions/`` holds one revision per schema version, named by it (``0001`` is
schema version 1, the first release's tables; ``0002`` users and tokens; ``0003`` the security columns; ``0004``
agencies without a place). A new revision: change the models, then in the checkout run
``alembic revision --autogenerate --rev-id 0005 -m "what it does"`` (the settings are ``[tool.alembic]`` in
``pyproject.toml``; the database it compares the models with is ``RUJUK_DATABASE_URL``; ruff formats the file), read
and correct what it wrote, and set ``SCHEMA_VERSION`` in :mod:`store.schema` to 5.
"""
