"""URL map: the API under /api/, the administration under /admin/."""

from django.contrib import admin
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from kefu.api import api

admin.site.site_header = _("Kefu 95598 administration")
admin.site.site_title = _("Kefu administration")
admin.site.index_title = _("Departments, users, calendar and policy data")

urlpatterns = [
    path("api/", api.urls),
    path("admin/", admin.site.urls),
    path("", RedirectView.as_view(url="/api/docs", permanent=False)),
]
