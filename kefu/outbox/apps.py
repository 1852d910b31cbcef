"""The outbox: messages written with the change that causes them, delivered by the worker."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutboxConfig(AppConfig):
    name = "kefu.outbox"
    label = "outbox"
    verbose_name = _("Outbox")
