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
