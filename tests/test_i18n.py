"""Chinese first: every label of the domain's vocabulary has its Simplified Chinese name."""

from __future__ import annotations

import pytest
from django.db import models
from django.utils import translation

from kefu.accounts.roles import Role
from kefu.core.vocabulary import AreaClass, ClockKind, RequestType, SupplyScheme, SuspendReason
from kefu.customers.models import ImportantClass, ValueTier
from kefu.tickets.models import Channel
from kefu.tickets.states import Satisfaction, State

VOCABULARY: list[type[models.TextChoices]] = [
    Role,
    RequestType,
    ClockKind,
    AreaClass,
    SupplyScheme,
    SuspendReason,
    ImportantClass,
    ValueTier,
    Channel,
    State,
    Satisfaction,
]


@pytest.mark.parametrize("choices", VOCABULARY, ids=lambda c: c.__name__)
def test_every_label_is_translated_into_chinese(choices: type[models.TextChoices]) -> None:
    english = {value: str(label) for value, label in choices.choices}
    with translation.override("zh-hans"):
        chinese = {value: str(label) for value, label in choices.choices}
    untranslated = [v for v in english if english[v] == chinese[v] and english[v].isascii()]
    assert not untranslated


def test_chinese_is_the_default_and_english_on_request() -> None:
    assert translation.get_language() in ("zh-hans", None)
    with translation.override("zh-hans"):
        assert str(RequestType.REPAIR.label) == "故障报修"
        assert str(State.ARCHIVED.label) == "已归档"
    with translation.override("en"):
        assert str(RequestType.REPAIR.label) == "Repair"


def test_the_chinese_catalogue_is_complete_and_compiled() -> None:
    from pathlib import Path

    from django.conf import settings

    po = Path(settings.LOCALE_PATHS[0]) / "zh_Hans" / "LC_MESSAGES" / "django.po"
    text = po.read_text(encoding="utf-8")
    # A fuzzy entry is left out of the compiled catalogue: its text would show in English.
    assert "#, fuzzy" not in text
    assert '\nmsgstr ""\n\n' not in text.split("\n\n", 1)[1]
    mo = po.with_suffix(".mo")
    assert mo.stat().st_mtime >= po.stat().st_mtime - 1, "run compilemessages"
    with translation.override("zh-hans"):
        from kefu.core.limits import Limit

        assert Limit.parse("3 working days").display() == "3 个工作日"
        assert str(translation.gettext("Accept the request")) == "受理"


def test_chinese_text_uses_full_width_punctuation() -> None:
    """，；：（）！？ beside Chinese characters, not their ASCII look-alikes."""
    import gettext
    import re
    from pathlib import Path

    from django.conf import settings

    mo = Path(settings.LOCALE_PATHS[0]) / "zh_Hans" / "LC_MESSAGES" / "django.mo"
    with mo.open("rb") as handle:
        catalog = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
    cjk = r"[\u4e00-\u9fff]"
    ascii_beside_chinese = re.compile(rf"{cjk}[,;:()!?]|[,;:()!?]{cjk}")
    texts = [t for t in catalog.values() if isinstance(t, str)]
    offending = [t for t in texts if ascii_beside_chinese.search(re.sub(r"%\(\w+\)[sd]", "", t))]
    # A CSV line's own syntax is quoted as it is typed.
    assert [t for t in offending if "date,kind" not in t] == []
