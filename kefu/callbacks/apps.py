"""Callbacks (回访): who is called back after an order is approved, when, and what they said."""

from django.apps import AppConfig


class CallbacksConfig(AppConfig):
    name = "kefu.callbacks"
    label = "callbacks"
    verbose_name = "Callbacks"
