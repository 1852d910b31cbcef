"""The workstation: the pages agents, leaders, handlers and crews spend their shift in."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "kefu.web"
    label = "web"
    verbose_name = _("Workstation")

    def ready(self) -> None:
        from kefu.web import checks  # noqa: F401  (registers the start-up checks)
