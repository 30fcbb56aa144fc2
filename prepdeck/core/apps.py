from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "prepdeck.core"
    label = "core"
    verbose_name = "PrepDeck core"
