"""Users, roles, departments and their jurisdictions, API tokens."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "kefu.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from kefu.accounts.models import ApiToken, Department, Jurisdiction, User

        # Each process caches tokens, users, departments and jurisdictions (kefu.core.caches).
        for model in (ApiToken, User, Department, Jurisdiction):
            name = model.__name__
            post_save.connect(_saved, sender=model, dispatch_uid=f"cache-{name}")
            post_delete.connect(_deleted, sender=model, dispatch_uid=f"cache-del-{name}")


def _saved(sender: type, update_fields: frozenset[str] | None = None, **kwargs: object) -> None:
    from kefu.core.caches import configuration_changed

    # A login stamps last_login only: nothing a cache holds.
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    configuration_changed()


def _deleted(sender: type, **kwargs: object) -> None:
    from kefu.core.caches import configuration_changed

    configuration_changed()
