"""Delivering the outbox: a real local SMTP server, a real HTTP SMS gateway, the file gateway,
retries with a record of every attempt, and the billing center's list after three failures."""

from __future__ import annotations

import datetime as dt
import json
import socket
import threading
from collections.abc import Callable, Iterator
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from kefu.outbox.models import DeliveryAttempt, MessageChannel, MessageStatus
from kefu.outbox.services import (
    billing_center_list,
    deliver_due,
    inbox,
    queue_customer_notice,
    queue_message,
)
from tests.conftest import Cast

Freeze = Callable[[str | dt.datetime], dt.datetime]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _Mailbox:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[_Mailbox]:
    mailbox = _Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    # The test runner swaps in an in-memory backend; this test wants the real SMTP one.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    yield mailbox
    controller.stop()


class _Gateway(BaseHTTPRequestHandler):
    received: list[dict[str, Any]] = []
    failures_left = 0

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if _Gateway.failures_left > 0:
            _Gateway.failures_left -= 1
            self.send_response(503)
            self.end_headers()
            self.wfile.write(b"busy")
            return
        _Gateway.received.append({**body, "key": self.headers["Idempotency-Key"]})
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def sms_gateway(settings: Any) -> Iterator[type[_Gateway]]:
    _Gateway.received, _Gateway.failures_left = [], 0
    server = HTTPServer(("127.0.0.1", free_port()), _Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.KEFU_SMS_BACKEND = "http"
    settings.KEFU_SMS_URL = f"http://127.0.0.1:{server.server_port}/sms"
    yield _Gateway
    server.shutdown()


def test_email_goes_through_a_real_smtp_server(cast: Cast, smtp_server: _Mailbox) -> None:
    message = queue_message(
        channel=MessageChannel.EMAIL,
        kind="urge",
        subject="工单催办",
        body="工单 2026031000001 已超时,请尽快处理。",
        address="yxb@example.test",
    )
    assert deliver_due().sent == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert len(smtp_server.messages) == 1
    envelope = smtp_server.messages[0]
    assert envelope.rcpt_tos == ["yxb@example.test"]
    mail = message_from_bytes(envelope.content)
    assert mail["Message-ID"] == f"<kefu-message-{message.pk}@kefu>"
    assert "已超时" in mail.get_payload(decode=True).decode("utf-8")


def test_sms_through_the_http_gateway_is_retried_with_the_same_key(
    cast: Cast, sms_gateway: type[_Gateway], freeze: Freeze
) -> None:
    freeze("2026-03-10 09:00")
    sms_gateway.failures_left = 2
    message = queue_customer_notice(
        customer=cast.urban, kind="outage_notice", body="您所在台区今日 14:00 计划停电"
    )
    assert deliver_due().retrying == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.PENDING
    assert message.next_attempt_at == dt.datetime(2026, 3, 10, 1, 1, tzinfo=dt.UTC)  # +1 min
    assert "503" in message.last_error
    freeze("2026-03-10 09:00:30")
    assert deliver_due().retrying == 0  # not due yet
    freeze("2026-03-10 09:01")
    deliver_due()
    freeze("2026-03-10 09:06")  # +5 min after the second failure
    assert deliver_due().sent == 1
    assert [r["to"] for r in sms_gateway.received] == [cast.urban.phone]
    assert sms_gateway.received[0]["key"] == f"kefu-message-{message.pk}"
    attempts = list(DeliveryAttempt.objects.filter(message=message).values_list("ok", flat=True))
    assert attempts == [False, False, True]


def test_a_customer_notice_failing_three_times_goes_to_the_billing_center(
    cast: Cast, sms_gateway: type[_Gateway], freeze: Freeze
) -> None:
    freeze("2026-03-10 09:00")
    sms_gateway.failures_left = 10
    notice = queue_customer_notice(
        customer=cast.rural, kind="arrears_reminder", body="您本月电费 86.50 元尚未缴纳"
    )
    for minute in ("09:00", "09:01", "09:06"):
        freeze(f"2026-03-10 {minute}")
        deliver_due()
    notice.refresh_from_db()
    assert notice.status == MessageStatus.FAILED
    assert notice.attempts == 3
    assert list(billing_center_list()) == [notice]
    freeze("2026-03-10 12:00")
    deliver_due()
    assert DeliveryAttempt.objects.filter(message=notice).count() == 3  # no fourth try


def test_the_file_gateway_writes_each_message_once(
    cast: Cast, settings: Any, tmp_path: Path
) -> None:
    settings.KEFU_SMS_FILE = str(tmp_path / "sms.jsonl")
    first = queue_customer_notice(customer=cast.urban, kind="bill_notice", body="账单")
    queue_message(channel=MessageChannel.SMS, kind="urge", body="无号码")  # no address
    result = deliver_due()
    assert result.sent == 1
    assert result.retrying == 1
    lines = [json.loads(x) for x in (tmp_path / "sms.jsonl").read_text().splitlines()]
    assert [line["key"] for line in lines] == [f"kefu-message-{first.pk}"]


def test_in_app_messages_reach_the_user_and_their_department(cast: Cast) -> None:
    to_department = queue_message(
        channel=MessageChannel.IN_APP, kind="urge", body="催办", to_department=cast.yxb.department
    )
    to_user = queue_message(
        channel=MessageChannel.IN_APP, kind="second_urge", body="督办", to_user=cast.leader
    )
    deliver_due()
    assert list(inbox(cast.yxb)) == [to_department]
    assert list(inbox(cast.leader)) == [to_user]
    assert list(inbox(cast.zgb)) == []
