from django.apps import AppConfig


class PracticeConfig(AppConfig):
    name = "prepdeck.practice"
    label = "practice"
    verbose_name = "Practice"
