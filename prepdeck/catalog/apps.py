from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "prepdeck.catalog"
    label = "catalog"
    verbose_name = "Question bank"

    def ready(self) -> None:
        from prepdeck.catalog import services
        from prepdeck.core.bootstrap import FIRST_RUN_HOOKS

        # `prepdeck run` loads the bundled bank into an empty database.
        FIRST_RUN_HOOKS.append(services.bank_load_if_empty)
