from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "prepdeck.catalog"
    label = "catalog"
    verbose_name = "Question bank"

    def ready(self) -> None:
        from prepdeck.catalog import services, signals  # noqa: F401 - connects the cache receivers
        from prepdeck.core.bootstrap import FIRST_RUN_HOOKS

        # `prepdeck run` loads the bundled bank into an empty database.
        FIRST_RUN_HOOKS.append(services.bank_load_if_empty)
