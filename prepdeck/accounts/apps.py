from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "prepdeck.accounts"
    label = "accounts"
    verbose_name = "Accounts"
