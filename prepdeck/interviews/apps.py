from django.apps import AppConfig


class InterviewsConfig(AppConfig):
    name = "prepdeck.interviews"
    label = "interviews"
    verbose_name = "Live interviews"
