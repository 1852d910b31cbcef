"""The core app: calendar, limits, policy, numbering, alerts."""

from typing import Any

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
        from django.db.backends.signals import connection_created

        connection_created.connect(_no_jit, dispatch_uid="postgresql-no-jit")


def _no_jit(sender: type, connection: Any, **kwargs: object) -> None:
    """No JIT on PostgreSQL: Kefu's queries are short, and a list whose plan looks costly (a
    search, a capped count) spent 12 ms compiling to save 1 ms of a 5 ms scan. Set on each
    new connection rather than as a startup option, which a pooler (PgBouncer) refuses."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET jit = off")


def _changed(sender: type, **kwargs: object) -> None:
    from kefu.core.caches import configuration_changed

    configuration_changed()
