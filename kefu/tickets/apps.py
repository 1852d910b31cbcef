"""Work orders: the lifecycle, its clocks, routing and the event log."""

from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "kefu.tickets"
    label = "tickets"
    verbose_name = "Work orders"
