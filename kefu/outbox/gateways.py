"""Where messages go: an SMS gateway (file or HTTP), e-mail through Django, in-app inboxes.

Each gateway receives the message's idempotency key. The file gateway drops a key it has
seen; the HTTP gateway sends it as `Idempotency-Key`; e-mail carries it as the Message-ID.
A worker killed between sending and recording therefore never makes a message arrive twice.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Protocol

import httpx
from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone


class DeliveryError(Exception):
    """The gateway did not take the message; the worker will try again later."""


class SmsGateway(Protocol):
    def send(self, *, key: str, phone: str, text: str) -> None: ...


class FileSmsGateway:
    """Appends one JSON line per SMS to a file: the default, and what the demo uses."""

    _lock = threading.Lock()

    def __init__(self, path: Path) -> None:
        self.path = path

    def sent_keys(self) -> set[str]:
        if not self.path.exists():
            return set()
        with self.path.open(encoding="utf-8") as lines:
            return {json.loads(line)["key"] for line in lines if line.strip()}

    def send(self, *, key: str, phone: str, text: str) -> None:
        if not phone:
            raise DeliveryError("no phone number")
        with self._lock:
            if key in self.sent_keys():
                return  # sent before a crash kept us from recording it
            self.path.parent.mkdir(parents=True, exist_ok=True)
            line = json.dumps(
                {"key": key, "to": phone, "text": text, "at": timezone.now().isoformat()},
                ensure_ascii=False,
            )
            with self.path.open("a", encoding="utf-8") as out:
                out.write(line + "\n")
                out.flush()


class HttpSmsGateway:
    """POSTs {"to", "text"} as JSON to the operator's SMS gateway with an Idempotency-Key."""

    def __init__(self, url: str, token: str = "", timeout: float = 10.0) -> None:
        self.url, self.token, self.timeout = url, token, timeout

    def send(self, *, key: str, phone: str, text: str) -> None:
        if not phone:
            raise DeliveryError("no phone number")
        headers = {"Idempotency-Key": key}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        try:
            response = httpx.post(
                self.url, json={"to": phone, "text": text}, headers=headers, timeout=self.timeout
            )
        except httpx.HTTPError as exc:
            raise DeliveryError(f"SMS gateway unreachable: {exc}") from exc
        if response.status_code >= 300:
            raise DeliveryError(
                f"SMS gateway answered {response.status_code}: {response.text[:200]}"
            )


def sms_gateway() -> SmsGateway:
    if settings.KEFU_SMS_BACKEND == "http":
        return HttpSmsGateway(settings.KEFU_SMS_URL, settings.KEFU_SMS_TOKEN)
    return FileSmsGateway(Path(settings.KEFU_SMS_FILE))


def send_email(*, key: str, address: str, subject: str, text: str) -> None:
    if not address:
        raise DeliveryError("no e-mail address")
    message = EmailMessage(
        subject=subject, body=text, to=[address], headers={"Message-ID": f"<{key}@kefu>"}
    )
    try:
        message.send(fail_silently=False)
    except OSError as exc:  # SMTP errors are OSError subclasses
        raise DeliveryError(f"e-mail not accepted: {exc}") from exc
