"""Users, roles, departments and their jurisdictions, API tokens."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "kefu.accounts"
    label = "accounts"
    verbose_name = "Accounts"
