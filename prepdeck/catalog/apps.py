from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "prepdeck.catalog"
    label = "catalog"
    verbose_name = "Question bank"

    def ready(self) -> None:
        from prepdeck.accounts.data_export import user_data_section_register
        from prepdeck.catalog import selectors, services, signals
        from prepdeck.catalog.events import questions_changed
        from prepdeck.core.bootstrap import FIRST_RUN_HOOKS

        # `prepdeck run` loads the bundled bank into an empty database.
        FIRST_RUN_HOOKS.append(services.bank_load_if_empty)
        # "Export my data" includes the questions the user wrote and their import jobs.
        user_data_section_register(selectors.authored_data_of)
        # Every announced change gives the cached views of the bank a new generation on commit
        # (catalog/signals.py; writes through Model.save/delete are caught by its model-signal receivers).
        questions_changed.subscribe(signals.catalog_cache_invalidate, when="in_transaction")
