from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "prepdeck.core"
    label = "core"
    verbose_name = "PrepDeck core"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from prepdeck.core import checks, timestamps

        del checks  # registers the deployment check that sees our middleware

        connection_created.connect(timestamps.register, dispatch_uid="prepdeck.core.timestamps")
