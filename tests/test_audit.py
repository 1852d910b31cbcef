"""An audit that cannot be rewritten: events keep who acted as they were, and API tokens
expire, record their last use, can be listed and revoked, each issue and revocation an
event of its own."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from kefu.accounts.models import ApiToken, AuditEvent
from kefu.accounts.services import create_token
from kefu.tickets import services
from tests.conftest import Cast
from tests.flows import accept

Freeze = Callable[[str | dt.datetime], dt.datetime]


def test_renaming_a_user_or_changing_their_role_leaves_past_events_as_they_were(
    cast: Cast, freeze: Freeze
) -> None:
    freeze("2026-03-10 09:00")
    order = accept(cast, "complaint", topic="billing")
    services.urge_order(actor=cast.agent, number=order.number, note="客户催办")
    agent = cast.agent
    agent.username, agent.full_name, agent.role = "agent-renamed", "新名字", "shift_leader"
    agent.save()
    client = Client()
    client.force_login(cast.supervisor)
    events = client.get(f"/api/orders/{order.number}").json()["events"]
    assert {(e["actor"], e["actor_name"], e["actor_role"]) for e in events} == {
        ("agent", "agent", "agent")
    }
    page = client.get(f"/orders/{order.number}/").content.decode()
    assert "新名字" not in page
    # What the new name does from now on is recorded under it.
    services.urge_order(actor=agent, number=order.number)
    last = client.get(f"/api/orders/{order.number}").json()["events"][-1]
    assert (last["actor"], last["actor_name"], last["actor_role"]) == (
        "agent-renamed",
        "新名字",
        "shift_leader",
    )


def _api(secret: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def test_a_token_expires(cast: Cast, freeze: Freeze) -> None:
    freeze("2026-03-10 09:00")
    token, secret = create_token(user=cast.ivr, name="IVR", days=30)
    assert token.expires_at is not None
    assert _api(secret).get("/api/me").status_code == 200
    freeze("2026-04-09 09:01")
    assert _api(secret).get("/api/me").status_code == 401


def test_a_token_records_its_last_use_at_most_once_a_minute(cast: Cast, freeze: Freeze) -> None:
    freeze("2026-03-10 09:00")
    token, secret = create_token(user=cast.ivr, name="IVR")
    assert token.last_used_at is None
    _api(secret).get("/api/me")
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    freeze("2026-03-10 09:00:30")
    _api(secret).get("/api/me")
    token.refresh_from_db()
    assert token.last_used_at == first  # no write for every request of a busy IVR
    freeze("2026-03-10 09:02")
    _api(secret).get("/api/me")
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert token.last_used_at > first


def test_tokens_are_listed_and_revoked_from_the_command_line(cast: Cast, freeze: Freeze) -> None:
    freeze("2026-03-10 09:00")
    out = StringIO()
    call_command("kefu_token", "create", "ivr", "--name", "IVR-1", "--days", "90", stdout=out)
    secret = out.getvalue().strip()
    assert secret.startswith("kefu_")
    token = ApiToken.objects.get(name="IVR-1")
    listing = StringIO()
    call_command("kefu_token", "list", stdout=listing)
    assert "IVR-1" in listing.getvalue()
    assert token.prefix in listing.getvalue()
    assert "active" in listing.getvalue()
    call_command(
        "kefu_token", "revoke", token.prefix, "--reason", "IVR replaced", stdout=StringIO()
    )
    assert _api(secret).get("/api/me").status_code == 401
    listing = StringIO()
    call_command("kefu_token", "list", stdout=listing)
    assert "revoked" in listing.getvalue()
    with pytest.raises(CommandError, match="revoked already"):
        call_command("kefu_token", "revoke", str(token.pk), stdout=StringIO())
    events = list(AuditEvent.objects.filter(token=token).order_by("at", "id"))
    assert [e.kind for e in events] == ["token_issued", "token_revoked"]
    assert events[1].detail["reason"] == "IVR replaced"
    assert all("@" in e.actor_name for e in events)  # the console account that ran it


def test_the_administrator_revokes_tokens_in_the_admin(cast: Cast, freeze: Freeze) -> None:
    freeze("2026-03-10 09:00")
    token, secret = create_token(user=cast.ivr, name="portal", actor=cast.admin)
    admin = Client()
    admin.force_login(cast.admin)
    listing = admin.get("/admin/accounts/apitoken/").content.decode()
    assert "portal" in listing
    response = admin.post(
        "/admin/accounts/apitoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    assert response.status_code == 302
    assert _api(secret).get("/api/me").status_code == 401
    revoked = AuditEvent.objects.get(token=token, kind="token_revoked")
    assert (revoked.actor, revoked.actor_role) == (cast.admin, "administrator")
    assert "token_revoked" in admin.get("/admin/accounts/auditevent/").content.decode()


def test_audit_events_are_never_changed_or_deleted(cast: Cast) -> None:
    token, _ = create_token(user=cast.ivr, name="IVR")
    event = AuditEvent.objects.get(token=token)
    event.kind = "something else"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()


@pytest.mark.parametrize(("days", "name"), [(0, "IVR"), (2000, "IVR"), (30, "  ")])
def test_a_token_needs_a_name_and_a_sane_lifetime(cast: Cast, days: int, name: str) -> None:
    with pytest.raises(CommandError):
        call_command("kefu_token", "create", "ivr", "--name", name, "--days", str(days))
    assert not ApiToken.objects.exists()
