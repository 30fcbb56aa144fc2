from django.apps import AppConfig


class PracticeConfig(AppConfig):
    name = "prepdeck.practice"
    label = "practice"
    verbose_name = "Practice"

    def ready(self) -> None:
        from prepdeck.practice import signals  # noqa: F401 - connects the cache receivers
