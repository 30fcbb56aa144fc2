from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "prepdeck.web"
    label = "web"
    verbose_name = "Web pages"
