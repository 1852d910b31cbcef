"""The contact center's own work: the shift handover between shift leaders."""

from django.apps import AppConfig


class ContactConfig(AppConfig):
    name = "kefu.contact"
    label = "contact"
    verbose_name = "Contact center"
