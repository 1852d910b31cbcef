"""The `kefu` command line, run as an operator would, against a fresh SQLite file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.slow

KEFU = [sys.executable, "-m", "kefu.cli"]


def run(
    args: list[str], env: dict[str, str], check: bool = True
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [*KEFU, *args], env=env, capture_output=True, text=True, timeout=120, cwd=settings.BASE_DIR
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "KEFU_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}",
        "KEFU_DATA_DIR": str(tmp_path),
    }


def test_operator_commands(env: dict[str, str], tmp_path: Path) -> None:
    run(["migrate"], env)
    created = run(
        ["user", "create", "ivr", "--role", "integration", "--password", "long-enough-secret"], env
    )
    assert "created ivr (integration)" in created.stdout
    token = run(["token", "create", "ivr", "--name", "IVR"], env).stdout.strip()
    assert token.startswith("kefu_")
    assert len(token) > 40
    refused = run(
        ["user", "create", "crew", "--role", "crew", "--password", "long-enough-x"],
        env,
        check=False,
    )
    assert refused.returncode != 0
    assert "belong to a department" in refused.stderr
    csv = tmp_path / "2027.csv"
    csv.write_text("date,kind,name\n2027-01-01,holiday,元旦\n", encoding="utf-8")
    loaded = run(["calendar", "load", "2027", "--csv", str(csv)], env)
    assert "2027: 365 days" in loaded.stdout
    unknown = run(["calendar", "load", "2031"], env, check=False)
    assert unknown.returncode != 0
    assert "no data for 2031" in unknown.stderr


def test_policy_check_names_file_key_and_reason(env: dict[str, str], tmp_path: Path) -> None:
    assert "ok:" in run(["policy", "check", "provincial"], env).stdout
    broken = tmp_path / "broken.toml"
    text = (Path(settings.KEFU_POLICY_DIR) / "county.toml").read_text(encoding="utf-8")
    broken.write_text(text.replace('return = "5 min"', 'return = "soon"'), encoding="utf-8")
    result = run(["policy", "check", str(broken)], env, check=False)
    assert result.returncode == 1
    assert str(broken) in result.stderr
    assert "types.repair.limits.return" in result.stderr


def test_a_broken_policy_refuses_to_start(env: dict[str, str], tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    text = (Path(settings.KEFU_POLICY_DIR) / "county.toml").read_text(encoding="utf-8")
    broken.write_text(text.replace("sample_share = 0.05", "sample_share = 7"), encoding="utf-8")
    result = run(["migrate"], {**env, "KEFU_POLICY": str(broken)}, check=False)
    assert result.returncode != 0
    assert "callback.sample_share" in result.stderr
    assert str(broken) in result.stderr
