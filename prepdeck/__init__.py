"""PrepDeck: prepare for, and run, technical interviews on Django, DRF and PostgreSQL."""

__version__ = "0.1.0"
