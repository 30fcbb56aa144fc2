from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "prepdeck.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from prepdeck.accounts import schema  # noqa: F401 - registers the OpenAPI auth extension
