from django.apps import AppConfig


class PracticeConfig(AppConfig):
    name = "prepdeck.practice"
    label = "practice"
    verbose_name = "Practice"

    def ready(self) -> None:
        from prepdeck.accounts.data_export import user_data_section_register
        from prepdeck.practice import selectors, signals  # noqa: F401 - signals connects the cache receivers

        # "Export my data" includes the user's cards, reviews, quizzes and mock interviews.
        user_data_section_register(selectors.practice_data_of)
