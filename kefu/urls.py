"""URL map: the API under /api/, the administration under /admin/."""

from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

from kefu.api import api

urlpatterns = [
    path("api/", api.urls),
    path("admin/", admin.site.urls),
    path("", RedirectView.as_view(url="/api/docs", permanent=False)),
]
