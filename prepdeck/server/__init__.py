"""The composition root beside ``web``: ``prepdeck run`` (set up and serve the whole site)."""
