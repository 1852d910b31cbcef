"""The policy file: both profiles load; a broken one is refused naming file, key and reason."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from kefu.core.limits import Limit, Unit
from kefu.core.policy import PolicyError, load_policy

POLICIES = Path(settings.KEFU_POLICY_DIR)


@pytest.mark.parametrize("name", ["county", "provincial"])
def test_shipped_profiles_load(name: str) -> None:
    policy = load_policy(POLICIES / f"{name}.toml")
    assert policy.profile.name == name
    assert len(policy.types) == 8


def test_limits_read_as_written() -> None:
    assert Limit.parse("5 min") == Limit(5, Unit.MINUTES)
    assert Limit.parse("2 hours") == Limit(120, Unit.MINUTES)
    assert Limit.parse("1 working day") == Limit(1, Unit.WORKING_DAYS)
    assert Limit.parse("2 months") == Limit(2, Unit.MONTHS)
    assert Limit.parse("immediately") == Limit(0, Unit.MINUTES, immediate=True)
    with pytest.raises(ValueError, match="not a time limit"):
        Limit.parse("five minutes")


def _broken(tmp_path: Path, old: str, new: str) -> Path:
    text = (POLICIES / "county.toml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "broken.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "key", "reason"),
    [
        (
            'dispatch = "5 min"',
            'dispatch = "5 minutos"',
            "types.repair.limits.dispatch",
            "not a time limit",
        ),
        (
            'onsite_report = "20 min"',
            'onsite_report = "20 min"\nresult = "1 working day"',
            "types.repair.limits.result",
            "not a clock of repair",
        ),
        (
            'arrival = { urban = "45 min", rural = "90 min", remote = "120 min" }',
            'arrival = { urban = "45 min", rural = "90 min" }',
            "types.repair.limits.arrival",
            "keys must be exactly",
        ),
        ("sample_share = 0.05", "sample_share = 5", "callback.sample_share", "less than or equal"),
        ('dissatisfied = "reopen"', 'dissatisfied = "ignore"', "callback.dissatisfied", "reopen"),
        ("[types.praise]", "[types.weather]", "types.weather", "Input should be"),
        (
            'department = "XSS"',
            'department = "XSS"\nby_jurisdiction = true',
            "routing.0",
            "either department or by_jurisdiction",
        ),
    ],
)
def test_a_broken_policy_names_file_key_and_reason(
    tmp_path: Path, old: str, new: str, key: str, reason: str
) -> None:
    path = _broken(tmp_path, old, new)
    with pytest.raises(PolicyError) as raised:
        load_policy(path)
    message = str(raised.value)
    assert str(path) in message
    assert f"'{key}" in message, message
    assert reason in message, message


def test_invalid_toml_and_missing_file_are_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[profile\nname=", encoding="utf-8")
    with pytest.raises(PolicyError, match="not valid TOML"):
        load_policy(bad)
    with pytest.raises(PolicyError, match="file not found"):
        load_policy(tmp_path / "missing.toml")
