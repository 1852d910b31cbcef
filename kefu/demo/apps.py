"""The demo data set of `make demo`."""

from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "kefu.demo"
    label = "demo"
    verbose_name = "Demo data"
