"""URL map: the API under /api/, the administration under /admin/."""

from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from kefu.api import api

admin.site.site_header = _("Kefu 95598 administration")
admin.site.site_title = _("Kefu administration")
admin.site.index_title = _("Departments, users, calendar and policy data")

urlpatterns = [
    # Browsers ask for it by name (the admin's pages do not point to one).
    path("favicon.ico", RedirectView.as_view(url=static("web/favicon.svg"), permanent=True)),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("kefu.web.urls")),
]

handler400 = "kefu.web.errors.bad_request"
handler403 = "kefu.web.errors.permission_denied"
handler404 = "kefu.web.errors.page_not_found"
handler500 = "kefu.web.errors.server_error"
