"""The workstation: the pages agents, leaders, handlers and crews spend their shift in."""

from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "kefu.web"
    label = "web"
    verbose_name = "Workstation"
