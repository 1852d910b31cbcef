"""Log in and out, the home page each role lands on, the profile, the agent status."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kefu.accounts.models import User
from kefu.accounts.roles import Role
from kefu.contact.models import AgentStatus
from kefu.contact.services import set_agent_status
from kefu.core.errors import DomainError
from kefu.web.shortcuts import current_user, require_person, require_role

HOME = {
    Role.AGENT: "web:intake",
    Role.SHIFT_LEADER: "web:board",
    Role.SUPERVISOR: "web:board",
    Role.ASSESSOR: "web:board",
    Role.HANDLER: "web:inbox",
    Role.CREW: "web:crew",
}


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    http_method_names = ["get", "head", "post"]

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        response = super().form_valid(form)
        user = form.get_user()
        # The user's own language wins over whatever the login page was shown in.
        translation.activate(user.language)
        response.set_cookie("django_language", user.language, samesite="Lax")
        if user.role in (Role.AGENT, Role.SHIFT_LEADER):
            set_agent_status(actor=user, status=AgentStatus.AVAILABLE)
        return response


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    user = request.user
    if isinstance(user, User) and user.role in (Role.AGENT, Role.SHIFT_LEADER):
        set_agent_status(actor=user, status=AgentStatus.SIGNED_OUT)
    return auth_views.LogoutView.as_view(next_page="web:login")(request)


@login_required
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    user = require_person(request)
    if user.role == Role.ADMINISTRATOR:
        return redirect("admin:index")
    return redirect(HOME.get(Role(user.role), "web:policy"))


@login_required
@require_POST
def status(request: HttpRequest) -> HttpResponse:
    require_role(request, (Role.AGENT, Role.SHIFT_LEADER))
    try:
        set_agent_status(actor=current_user(request), status=request.POST.get("status", ""))
    except DomainError as exc:
        messages.error(request, exc.localized())
        return HttpResponseRedirect(
            request.META.get("HTTP_REFERER") or reverse("web:home"), status=303
        )
    return HttpResponseRedirect(request.META.get("HTTP_REFERER") or reverse("web:home"))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    user = require_person(request)
    if request.method == "POST":
        language = request.POST.get("language", "")
        if language not in ("zh-hans", "en"):
            messages.error(request, _("Choose a language from the list."))
            return render(request, "web/profile.html", {"profile_user": user}, status=400)
        user.language = language
        user.save(update_fields=["language"])
        translation.activate(language)
        response = redirect("web:profile")
        response.set_cookie("django_language", language, samesite="Lax")
        messages.success(request, _("Language saved."))
        return response
    return render(request, "web/profile.html", {"profile_user": user})
