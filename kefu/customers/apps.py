"""Customer records: account, contact, grid position, category, tiers."""

from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "kefu.customers"
    label = "customers"
    verbose_name = "Customers"
