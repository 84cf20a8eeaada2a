"""The database as a whole: its schema and versions (:mod:`store.schema`), the data version that tells when
answers must be computed again (:mod:`store.version`), and preparing a fresh machine (:mod:`store.prepare`:
boundary artefacts built, the database created and seeded).
"""
