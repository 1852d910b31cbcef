"""Outage information (停电信息): the grid, the outage notices, and what a caller is told."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutagesConfig(AppConfig):
    name = "kefu.outages"
    label = "outages"
    verbose_name = _("Outages")

    def ready(self) -> None:
        from kefu.outages.incidents import GROUPING
        from kefu.tickets.services import intake
        from kefu.tickets.signals import supply_restored

        # Repair calls join the fault incident over their transformer (outages/incidents.py).
        intake.fault_grouping = GROUPING
        supply_restored.connect(_restored, dispatch_uid="outages-incident-restored")


def _restored(sender: object, *, order: object, actor: object, when: object, **_: object) -> None:
    """A repair's supply is back: the fault incident it carries is restored with it."""
    from kefu.outages.incidents import restore_incident

    restore_incident(order, actor, when)  # type: ignore[arg-type]
