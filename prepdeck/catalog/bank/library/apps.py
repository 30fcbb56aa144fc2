from django.apps import AppConfig


class LibraryConfig(AppConfig):
    name = "prepdeck.catalog.bank.library"
    label = "library"
    verbose_name = "Example library (bank code examples)"
    default_auto_field = "django.db.models.BigAutoField"
