from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "prepdeck.search"
    label = "search"
    verbose_name = "Search"

    def ready(self) -> None:
        from prepdeck.core.bootstrap import FIRST_RUN_HOOKS
        from prepdeck.search import services

        # `prepdeck run` builds the index when it does not hold every live question (a database that had
        # questions before this app, or a bank loaded by the catalog's first-run hook just before).
        FIRST_RUN_HOOKS.append(services.search_index_ensure)
