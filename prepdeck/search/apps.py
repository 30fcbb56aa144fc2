from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "prepdeck.search"
    label = "search"
    verbose_name = "Search"

    def ready(self) -> None:
        from prepdeck.catalog.events import questions_changed
        from prepdeck.core.bootstrap import FIRST_RUN_HOOKS
        from prepdeck.search import services

        # Every catalog write announces the questions it touched; the index follows in the same
        # transaction, so it commits or rolls back with the write (docs/architecture.md says why).
        questions_changed.subscribe(services.search_index_follow_catalog, when="in_transaction")
        # `prepdeck run` builds the index when it does not hold every live question (a database that had
        # questions before this app, or a bank loaded by the catalog's first-run hook just before).
        if services.search_index_ensure not in FIRST_RUN_HOOKS:
            FIRST_RUN_HOOKS.append(services.search_index_ensure)
