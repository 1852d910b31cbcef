"""Outage information (停电信息): the grid, the outage notices, and what a caller is told."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutagesConfig(AppConfig):
    name = "kefu.outages"
    label = "outages"
    verbose_name = _("Outages")
