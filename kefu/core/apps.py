"""The core app: calendar, limits, policy, numbering, alerts."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "kefu.core"
    label = "core"
    verbose_name = _("Kefu core")

    def ready(self) -> None:
        # A policy with an error refuses to start: load it once, here, at start-up.
        from kefu.core.policy import active_policy

        active_policy()
        from django.db.models.signals import post_delete, post_save

        from kefu.core.models import CalendarDay, CalendarYear

        # Each process caches the calendar (kefu.core.caches). A year's load deletes and
        # bulk-inserts its days and says so itself; a receiver on the days' deletion would
        # turn that one DELETE into 365.
        post_save.connect(_changed, sender=CalendarDay, dispatch_uid="cache-CalendarDay")
        post_save.connect(_changed, sender=CalendarYear, dispatch_uid="cache-CalendarYear")
        post_delete.connect(_changed, sender=CalendarYear, dispatch_uid="cache-del-CalendarYear")


def _changed(sender: type, **kwargs: object) -> None:
    from kefu.core.caches import configuration_changed

    configuration_changed()
