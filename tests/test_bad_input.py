"""Bad input everywhere gets a clear 4xx and changes nothing: NUL characters, bodies that
are too large, bodies that are not JSON objects, the wrong method, the wrong token, and
every status an API operation can give is in its OpenAPI entry."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from kefu.accounts.models import User
from kefu.accounts.services import create_token
from kefu.api import api
from kefu.tickets.models import Clock, OrderEvent, WorkOrder
from tests.conftest import Cast
from tests.flows import accept, dispatch
from tests.surfaces import ACTION_BODIES, PAGE_ACTIONS

Freeze = Callable[[str | dt.datetime], dt.datetime]
TOO_LARGE = "长" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 3 + 10)  # 3 bytes each in UTF-8


def _counts() -> tuple[int, int, int]:
    return WorkOrder.objects.count(), OrderEvent.objects.count(), Clock.objects.count()


def _as(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _token(user: User) -> Client:
    _, secret = create_token(user=user, name="bad input")
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


#: Every form a person posts, as (who posts it, path, a valid-looking form).
def _forms(cast: Cast, number: str) -> list[tuple[User, str, dict[str, str]]]:
    forms: list[tuple[User, str, dict[str, str]]] = [
        (cast.agent, "/login/", {"username": "agent", "password": "x"}),
        (cast.agent, "/profile/", {"language": "zh-hans"}),
        (cast.agent, "/status/", {"status": "away"}),
        (cast.agent, "/intake/", {"request_type": "query", "channel": "phone", "description": "x"}),
        (cast.agent, "/intake/preview/", {"request_type": "query", "description": "x"}),
        (cast.agent, "/callbacks/1/", {"reached": "no", "note": "x"}),
        (cast.leader, "/handover/", {"shift_start": "2026-03-10T08:00", "notes": "x"}),
        (cast.agent, "/i18n/setlang/", {"language": "en", "next": "/board/"}),
        (cast.agent, "/logout/", {}),
    ]
    for action, form in PAGE_ACTIONS.items():
        forms.append((cast.agent, f"/orders/{number}/{action}/", {**form, f"{action}-note": "x"}))
    return forms


def test_a_nul_character_in_any_form_field_is_a_400_and_saves_nothing(
    cast: Cast, freeze: Freeze
) -> None:
    freeze("2026-03-10 09:00")
    number = dispatch(cast, accept(cast, "complaint", topic="billing")).number
    before = _counts()
    for user, path, form in _forms(cast, number):
        for field in form or {"x": ""}:
            poisoned = {**form, field: f"{form.get(field, '')}\x00"}
            response = _as(user).post(path, poisoned)
            assert response.status_code == 400, (path, field, response.status_code)
    assert _counts() == before


def test_a_nul_character_in_any_page_address_is_a_400(cast: Cast) -> None:
    client = _as(cast.agent)
    for path in (
        "/orders/%00/",
        "/customers/%00/",
        "/departments/%00/",
        "/intake/customer/%00/",
        "/board/?q=%00",
        "/intake/customers/?q=a%00b",
        "/board/?%00=1",
    ):
        response = client.get(path)
        assert response.status_code == 400, path
        assert "NUL" in response.content.decode() or "空字符" in response.content.decode()


def test_a_body_too_large_is_a_413_on_every_form_and_the_api(cast: Cast, freeze: Freeze) -> None:
    freeze("2026-03-10 09:00")
    number = dispatch(cast, accept(cast, "complaint", topic="billing")).number
    before = _counts()
    for user, path, form in _forms(cast, number):
        response = _as(user).post(path, {**form, "note": TOO_LARGE})
        assert response.status_code == 413, (path, response.status_code)
    api_client = _token(cast.agent)
    for path in ("/api/orders", "/api/orders/preview", f"/api/orders/{number}/urge"):
        body = json.dumps({"description": TOO_LARGE})
        response = api_client.post(path, body, content_type="application/json")
        assert response.status_code == 413, path
        assert response.json()["code"] == "too_large"
    assert _counts() == before


def test_pages_refuse_methods_they_do_not_take(cast: Cast, freeze: Freeze) -> None:
    freeze("2026-03-10 09:00")
    number = accept(cast, "complaint", topic="billing").number
    client = _as(cast.leader)
    read_only = ["/", "/board/", "/review/", "/callbacks/", f"/orders/{number}/", "/policy/"]
    read_only += ["/calendar/", "/intake/customers/", "/customers/5100000001/"]
    for path in read_only:
        for method in ("post", "put", "patch", "delete"):
            assert getattr(client, method)(path).status_code == 405, (method, path)
    for path in ("/intake/", "/handover/", "/profile/", "/login/"):
        for method in ("put", "patch", "delete", "options"):
            assert client.generic(method.upper(), path).status_code == 405, (method, path)
    for path in ("/logout/", "/status/", "/intake/preview/", f"/orders/{number}/urge/"):
        assert client.get(path).status_code == 405, path


def test_an_address_too_long_is_a_414(cast: Cast) -> None:
    long_query = "q=" + "1" * 5000
    assert _token(cast.agent).get(f"/api/orders?{long_query}").status_code == 414
    assert _as(cast.agent).get(f"/board/?{long_query}").status_code == 414


@pytest.mark.parametrize("body", ["[null, null]", "123", "true", '"text"', "null", "[]"])
def test_a_body_that_is_not_a_json_object_is_refused_and_records_nothing(
    body: str, cast: Cast, freeze: Freeze
) -> None:
    freeze("2026-03-10 09:00")
    order = dispatch(cast, accept(cast, "complaint", topic="billing"))
    client = _token(cast.agent)
    before = _counts()
    for action in ACTION_BODIES:
        response = client.post(
            f"/api/orders/{order.number}/{action}", body, content_type="application/json"
        )
        assert response.status_code == 422, (action, response.status_code)
        assert response.json()["errors"][0]["field"] == "body"
    for path in ("/api/orders", "/api/orders/preview", "/api/handovers"):
        assert client.post(path, body, content_type="application/json").status_code == 422
    assert _counts() == before
    order.refresh_from_db()
    assert order.urge_count == 0


def test_the_api_takes_json_only(cast: Cast, freeze: Freeze) -> None:
    freeze("2026-03-10 09:00")
    number = accept(cast, "complaint", topic="billing").number
    session = _as(cast.agent)  # the workstation's session: CSRF is checked for it
    multipart = session.post("/api/orders/preview", {"request_type": "repair", "description": "x"})
    assert multipart.status_code == 415
    assert multipart.json()["code"] == "unsupported_media_type"
    token = _token(cast.agent)
    form = token.post(
        f"/api/orders/{number}/urge",
        "note=x",
        content_type="application/x-www-form-urlencoded",
    )
    assert form.status_code == 415
    text = token.post(f"/api/orders/{number}/urge", "{}", content_type="text/plain")
    assert text.status_code == 415
    assert WorkOrder.objects.get(number=number).urge_count == 0


def test_a_wrong_token_is_a_401_on_every_method(cast: Cast, freeze: Freeze) -> None:
    freeze("2026-03-10 09:00")
    number = accept(cast, "complaint", topic="billing").number
    wrong = Client(HTTP_AUTHORIZATION="Bearer kefu_not-a-token")
    assert wrong.get("/api/orders").status_code == 401
    for path in ("/api/orders", f"/api/orders/{number}/urge", "/api/handovers"):
        response = wrong.post(path, "{}", content_type="application/json")
        assert response.status_code == 401, path
        assert response.json()["code"] == "unauthenticated"


def test_a_nul_character_in_the_api_is_a_4xx(cast: Cast) -> None:
    client = _token(cast.agent)
    for path in ("/api/orders/%00", "/api/customers/%00", "/api/orders?q=%00"):
        assert client.get(path).status_code in (400, 422), path
    body = json.dumps({"request_type": "query", "description": "a\u0000b", "caller_phone": "1"})
    assert client.post("/api/orders", body, content_type="application/json").status_code == 422


def test_every_operation_declares_every_status_it_can_give() -> None:
    schema = api.get_openapi_schema()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            declared = {int(code) for code in operation["responses"]}
            needed = {400, 414} | ({401, 403, 404, 422} if path != "/api/health" else set())
            if method == "post":
                needed |= {409, 413, 415}
            assert needed <= declared, (method, path, sorted(needed - declared))


def test_refusals_have_one_shape(cast: Cast) -> None:
    answers: list[Any] = [
        Client().get("/api/orders"),
        _token(cast.ivr).get("/api/orders"),
        _token(cast.agent).get("/api/orders/2026031099999"),
        _token(cast.agent).post("/api/orders", "[1]", content_type="application/json"),
        _token(cast.agent).post("/api/orders", "x=1", content_type="text/plain"),
    ]
    for response in answers:
        body = response.json()
        assert set(body) >= {"detail", "code", "errors"}, body
        assert body["detail"]


def test_a_query_parameter_given_twice_is_refused(cast: Cast) -> None:
    client = _token(cast.leader)
    for path in ("/api/orders?limit=1&limit=2", "/api/callbacks?limit=false&limit=0"):
        response = client.get(path)
        assert response.status_code == 422, path
        assert response.json()["errors"][0]["field"] == "limit"
