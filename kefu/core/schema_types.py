"""Input types every API schema uses, so that no value can reach the database unchecked.

PostgreSQL refuses NUL characters and far-off dates overflow; both must be a 422 here, not a
500 later.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, Field


def _no_control_characters(value: str) -> str:
    if any(ord(ch) < 32 and ch not in "\t\n\r" for ch in value):
        raise ValueError("must not contain control characters")
    return value


def _sane_moment(value: dt.datetime) -> dt.datetime:
    try:
        utc = value.astimezone(dt.UTC)
    except (OverflowError, ValueError):
        raise ValueError("is out of range") from None
    if not 2000 <= utc.year <= 2100:
        raise ValueError("must be between the years 2000 and 2100")
    return utc


ShortText = Annotated[str, Field(max_length=100), AfterValidator(_no_control_characters)]
Code = Annotated[str, Field(min_length=1, max_length=20), AfterValidator(_no_control_characters)]
Phone = Annotated[str, Field(max_length=20, pattern=r"^[0-9+\-() ]*$")]
Note = Annotated[str, Field(max_length=2000), AfterValidator(_no_control_characters)]
LongText = Annotated[
    str, Field(min_length=1, max_length=2000), AfterValidator(_no_control_characters)
]
#: Texts of set lengths, empty allowed (a complaint's cause, the customer's demand).
Text200 = Annotated[str, Field(max_length=200), AfterValidator(_no_control_characters)]
Text500 = Annotated[str, Field(max_length=500), AfterValidator(_no_control_characters)]
#: Prose a supervisor writes (a report's follow-up).
Prose = Annotated[str, Field(max_length=4000), AfterValidator(_no_control_characters)]
Moment = Annotated[AwareDatetime, AfterValidator(_sane_moment)]
OrderNumber = Annotated[str, Field(pattern=r"^\d{13}$", examples=["2026031000001"])]
Version = Annotated[int, Field(ge=1, le=2_000_000_000)]
#: A keyset cursor a list handed out (`next`): URL-safe base64, checked when decoded.
Cursor = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9_-]+$")]
