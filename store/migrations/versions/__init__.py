"""One Alembic revision per schema version (the file names start with the version)."""
