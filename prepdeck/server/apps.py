from django.apps import AppConfig


class ServerConfig(AppConfig):
    """The top of the import graph beside ``web``: ``prepdeck run``, which prepares the database through
    every app's first-run hooks and serves the whole site (docs/architecture.md). It may import any app;
    no app imports it."""

    name = "prepdeck.server"
    label = "server"
    verbose_name = "PrepDeck server"
