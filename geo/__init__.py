"""Rujuk's data layer: boundaries, islands, gazetteer, service directory and case figures."""
