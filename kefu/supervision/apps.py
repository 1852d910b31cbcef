"""Supervision: the sweep that warns, urges and escalates as clocks run out."""

from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "kefu.supervision"
    label = "supervision"
    verbose_name = "Supervision"
