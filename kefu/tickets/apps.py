"""Work orders: the lifecycle, its clocks, routing and the event log."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "kefu.tickets"
    label = "tickets"
    verbose_name = _("Work orders")

    def ready(self) -> None:
        from kefu.core.signals import calendar_loaded

        calendar_loaded.connect(_calendar_loaded, dispatch_uid="tickets-recompute")


def _calendar_loaded(sender: type, years: set[int], **kwargs: object) -> int:
    from kefu.tickets.clocks import recompute_provisional_clocks

    return recompute_provisional_clocks(years)
