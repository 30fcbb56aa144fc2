"""Importers: pure parsers that turn documents (bytes) into plain ``ParsedDocument`` data.

They never touch the database; ``prepdeck.catalog.imports`` (the service) matches, merges and writes.
"""
