"""The outbox: messages written with the change that causes them, delivered by the worker."""

from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "kefu.outbox"
    label = "outbox"
    verbose_name = "Outbox"
