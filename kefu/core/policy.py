"""The service policy: request types, time limits, routing and callback rules, as data.

A profile is a TOML file under kefu/policies/ (county: the default, from 003; provincial: the
stricter one, from 001). It is validated on load; an error names the file, the key and the
reason, and refuses start-up.
"""

from __future__ import annotations

import datetime as dt
import functools
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from kefu.core.limits import Limit, Unit
from kefu.core.vocabulary import CLOCK_SELECTORS, CLOCKS_BY_TYPE, RequestType, SuspendReason


class PolicyError(ImproperlyConfigured):
    """A policy file that cannot be used; the message names file, key and reason."""

    def __init__(self, path: Path | str, key: str, reason: str) -> None:
        super().__init__(f"policy {path}: key '{key}': {reason}")
        self.path, self.key, self.reason = str(path), key, reason


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def in_language(chinese: str, english: str | None) -> str:
    """Policy text is written in Chinese, with an English name beside it where it has one."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    return english if english and language.startswith("en") else chinese


class TopicPolicy(_Strict):
    """A topic (事由分类) of complaint-like orders: what intake offers, what routing matches."""

    label: str
    label_en: str

    @property
    def name(self) -> str:
        return in_language(self.label, self.label_en)


def _limit(value: Any) -> Limit:
    if isinstance(value, Limit):
        return value
    if not isinstance(value, str):
        raise ValueError("a time limit is a string such as '5 min' or '3 working days'")
    return Limit.parse(value)


class TypePolicy(_Strict):
    label: str
    label_en: str
    callback: Literal["all", "sample", "none"] = "none"
    limits: dict[str, Limit | dict[str, Limit]] = Field(default_factory=dict)

    @field_validator("limits", mode="before")
    @classmethod
    def _parse_limits(cls, raw: Any) -> Any:
        if not isinstance(raw, dict):
            raise ValueError("limits is a table of clock = limit")
        parsed: dict[str, Any] = {}
        for clock, value in raw.items():
            try:
                if isinstance(value, dict):
                    parsed[clock] = {key: _limit(v) for key, v in value.items()}
                else:
                    parsed[clock] = _limit(value)
            except ValueError as exc:
                # Keep the clock's name in the error: pydantic only knows "…limits".
                raise _KeyError(clock, str(exc), relative=True) from None
        return parsed


class SuspensionPolicy(_Strict):
    label: str
    pauses: list[str]


class RoutingRule(_Strict):
    """First matching rule wins: a fixed department, or the one whose jurisdiction fits."""

    types: list[RequestType]
    min_voltage_kv: Decimal | None = None
    max_voltage_kv: Decimal | None = None
    topics: list[str] | None = None
    department: str | None = None
    by_jurisdiction: bool = False
    reason: str
    reason_en: str | None = None

    @property
    def explanation(self) -> str:
        return in_language(self.reason, self.reason_en)

    @model_validator(mode="after")
    def _one_target(self) -> RoutingRule:
        if bool(self.department) == self.by_jurisdiction:
            raise ValueError("a rule names either department or by_jurisdiction = true")
        return self


class CallbackPolicy(_Strict):
    sample_share: float = Field(ge=0.0, le=1.0)
    resident_window: tuple[dt.time, dt.time]
    business_window: tuple[dt.time, dt.time]
    late_restoration_hour: int = Field(ge=0, le=23)
    unreachable_after_attempts: int = Field(ge=1, le=10)
    dissatisfied: Literal["reopen", "supervisor"]


class OutageNoticePolicy(_Strict):
    planned: Limit
    temporary: Limit

    @field_validator("planned", "temporary", mode="before")
    @classmethod
    def _parse(cls, value: Any) -> Limit:
        limit = _limit(value)
        if limit.unit not in (Unit.MINUTES, Unit.DAYS):
            raise ValueError("an outage notice limit is in minutes, hours or days")
        return limit

    def latest_publication(
        self, kind: Literal["planned", "temporary"], outage_start: dt.datetime
    ) -> dt.datetime:
        """The last moment a notice of this kind may be published for an outage."""
        limit: Limit = getattr(self, kind)
        days = limit.amount if limit.unit is Unit.DAYS else 0
        minutes = limit.amount if limit.unit is Unit.MINUTES else 0
        return outage_start - dt.timedelta(days=days, minutes=minutes)


class IncidentPolicy(_Strict):
    """Fault incidents (主单/子单): which repair calls are one fault, and where it probably is.

    A call joins an open incident over its transformer (or anything above it) whose last call
    came within `window_minutes`. A transformer is predicted out when `transformer_calls` of
    its customers called and they are at least `transformer_share` of them; an element above
    when `children_predicted` of its children are predicted out and they are at least
    `children_share` of them. Predictions go no higher than a feeder.
    """

    enabled: bool = True
    window_minutes: int = Field(default=120, ge=5, le=24 * 60)
    transformer_calls: int = Field(default=2, ge=1, le=1000)
    transformer_share: float = Field(default=0.2, ge=0, le=1)
    children_predicted: int = Field(default=2, ge=1, le=1000)
    children_share: float = Field(default=0.5, ge=0, le=1)


class Deduction(_Strict):
    """Points taken off a department's 100 for each case of one kind, up to a cap."""

    points: Decimal = Field(ge=0, le=100, decimal_places=1)
    cap: Decimal = Field(ge=0, le=100, decimal_places=1)


class AssessmentPolicy(_Strict):
    """The monthly assessment of departments (考核, 003 ch. 5): 100 points less the
    deductions, graded excellent from `excellent`, pass from `passing`, else fail (003,
    second article: ≥ 90, 70–89, < 70). The sources give no deduction per case: these are
    the center's, agreed with the marketing department, and live here to be changed."""

    late_stage: Deduction = Deduction(points=Decimal(2), cap=Decimal(30))
    late_return: Deduction = Deduction(points=Decimal(1), cap=Decimal(10))
    urge: Deduction = Deduction(points=Decimal(1), cap=Decimal(20))
    customer_urge: Deduction = Deduction(points=Decimal(1), cap=Decimal(20))
    rework: Deduction = Deduction(points=Decimal(2), cap=Decimal(20))
    dissatisfied: Deduction = Deduction(points=Decimal(5), cap=Decimal(30))
    late_notice: Deduction = Deduction(points=Decimal(5), cap=Decimal(20))
    excellent: Decimal = Field(default=Decimal(90), ge=0, le=100)
    passing: Decimal = Field(default=Decimal(70), ge=0, le=100)

    @model_validator(mode="after")
    def _grades_in_order(self) -> AssessmentPolicy:
        if self.passing > self.excellent:
            raise ValueError("passing is at most excellent")
        return self

    def deductions(self) -> dict[str, Deduction]:
        return {
            name: getattr(self, name)
            for name in (
                "late_stage",
                "late_return",
                "urge",
                "customer_urge",
                "rework",
                "dissatisfied",
                "late_notice",
            )
        }


Notify = Literal["holder", "shift_leader", "supervisor"]


class AlertLevel(_Strict):
    """One step of supervision: a share of the limit elapsed, or a time past the deadline."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]{1,30}$")
    label: str
    label_en: str | None = None
    share: float | None = Field(None, gt=0, le=1)
    after_deadline: Limit | None = None
    overtime: bool = False
    notify: list[Notify] = Field(default_factory=lambda: list[Notify](["holder"]))

    @field_validator("after_deadline", mode="before")
    @classmethod
    def _parse(cls, value: Any) -> Limit | None:
        if value is None:
            return None
        limit = _limit(value)
        if limit.unit is not Unit.MINUTES:
            raise ValueError("after_deadline is in minutes or hours")
        return limit

    @model_validator(mode="after")
    def _one_trigger(self) -> AlertLevel:
        if (self.share is None) == (self.after_deadline is None):
            raise ValueError("a level has either share or after_deadline")
        if self.overtime and self.share != 1.0:
            raise ValueError("the overtime level is the deadline itself (share = 1.0)")
        return self

    @property
    def title(self) -> str:
        return in_language(self.label, self.label_en)

    @property
    def order_key(self) -> tuple[int, float]:
        if self.share is not None:
            return (0, self.share)
        assert self.after_deadline is not None
        return (1, float(self.after_deadline.amount))


class SupervisionPolicy(_Strict):
    levels: list[AlertLevel] = Field(min_length=1)

    @model_validator(mode="after")
    def _levels_in_order(self) -> SupervisionPolicy:
        keys = [level.order_key for level in self.levels]
        if keys != sorted(keys) or len(set(keys)) != len(keys):
            raise ValueError("levels must come in the order they are reached, none twice")
        if [level.overtime for level in self.levels].count(True) != 1:
            raise ValueError("exactly one level marks the stage overtime (share = 1.0)")
        if len({level.name for level in self.levels}) != len(self.levels):
            raise ValueError("level names must be unique")
        return self


class Profile(_Strict):
    name: str = Field(pattern=r"^[a-z][a-z0-9_-]{1,30}$")
    title: str
    title_en: str | None = None
    source: str

    @property
    def heading(self) -> str:
        return in_language(self.title, self.title_en)


class Policy(_Strict):
    profile: Profile
    #: What a limit written "immediately" (立即) allows: the sources give no number.
    immediately: Limit = Limit(5, Unit.MINUTES)
    types: dict[RequestType, TypePolicy]
    suspension: dict[SuspendReason, SuspensionPolicy]
    topics: dict[str, TopicPolicy] = Field(default_factory=dict)
    routing: list[RoutingRule]
    callback: CallbackPolicy
    outage_notice: OutageNoticePolicy
    incidents: IncidentPolicy = IncidentPolicy()
    assessment: AssessmentPolicy = AssessmentPolicy()
    supervision: SupervisionPolicy

    @field_validator("immediately", mode="before")
    @classmethod
    def _grace(cls, value: Any) -> Limit:
        limit = _limit(value)
        if limit.unit is not Unit.MINUTES or limit.immediate or not 0 < limit.amount <= 60:
            raise ValueError("immediately is a grace of 1 to 60 minutes, e.g. '5 min'")
        return limit

    @model_validator(mode="after")
    def _clocks_fit_types(self) -> Policy:
        for type_name, type_policy in self.types.items():
            allowed = CLOCKS_BY_TYPE[type_name]
            for clock, value in type_policy.limits.items():
                key = f"types.{type_name.value}.limits.{clock}"
                if clock not in allowed:
                    raise _KeyError(
                        key,
                        f"'{clock}' is not a clock of {type_name.value}; "
                        f"allowed: {', '.join(sorted(allowed))}",
                    )
                selector = CLOCK_SELECTORS.get(clock)
                if isinstance(value, dict):
                    if selector is None:
                        raise _KeyError(key, "this clock takes one limit, not a table")
                    missing = selector[1] - value.keys()
                    extra = value.keys() - selector[1]
                    if missing or extra:
                        raise _KeyError(
                            key, f"keys must be exactly {sorted(selector[1])} (by {selector[0]})"
                        )
                elif selector is not None:
                    raise _KeyError(
                        key, f"this clock needs a table by {selector[0]}: {sorted(selector[1])}"
                    )
        for index, rule in enumerate(self.routing):
            for topic in rule.topics or []:
                if topic not in self.topics:
                    raise _KeyError(
                        f"routing[{index}].topics",
                        f"unknown topic '{topic}'; add it to [topics] first",
                    )
        for reason, suspension in self.suspension.items():
            for clock in suspension.pauses:
                if clock not in {c for cs in CLOCKS_BY_TYPE.values() for c in cs}:
                    raise _KeyError(f"suspension.{reason.value}.pauses", f"unknown clock '{clock}'")
        return self

    # --- questions the services ask -------------------------------------------------
    def type_policy(self, request_type: str) -> TypePolicy | None:
        return self.types.get(RequestType(request_type))

    def limit_for(self, request_type: str, clock: str, selectors: dict[str, str]) -> Limit | None:
        """The limit of `clock` for an order, or None when the policy sets no such clock."""
        type_policy = self.type_policy(request_type)
        if type_policy is None or clock not in type_policy.limits:
            return None
        value = type_policy.limits[clock]
        if isinstance(value, dict):
            value = value[selectors[CLOCK_SELECTORS[clock][0]]]
        if value.immediate:
            return Limit(self.immediately.amount, self.immediately.unit, immediate=True)
        return value

    def topic_code(self, text: str) -> str | None:
        """A topic by its code or by either of its names (the agent may type 停电)."""
        text = text.strip()
        if text in self.topics:
            return text
        for code, topic in self.topics.items():
            if text in (topic.label, topic.label_en):
                return code
        return None

    def pauses(self, reason: str) -> frozenset[str]:
        return frozenset(self.suspension[SuspendReason(reason)].pauses)

    def summary(self) -> dict[str, Any]:
        """The policy in force, readable (for the API and the pages)."""
        return {
            "profile": self.profile.model_dump(),
            "types": {
                t.value: {
                    "label": p.label,
                    "label_en": p.label_en,
                    "callback": p.callback,
                    "limits": {
                        c: (
                            {k: str(v) for k, v in lim.items()}
                            if isinstance(lim, dict)
                            else str(lim)
                        )
                        for c, lim in p.limits.items()
                    },
                }
                for t, p in self.types.items()
            },
            "suspension": {r.value: s.model_dump() for r, s in self.suspension.items()},
            "topics": {code: t.model_dump() for code, t in self.topics.items()},
            "routing": [r.model_dump(mode="json") for r in self.routing],
            "callback": self.callback.model_dump(mode="json"),
            "outage_notice": {k: str(v) for k, v in self.outage_notice},
            "incidents": self.incidents.model_dump(),
            "assessment": self.assessment.model_dump(mode="json"),
            "supervision": [
                {
                    **level.model_dump(mode="json", exclude={"after_deadline"}),
                    "after_deadline": str(level.after_deadline) if level.after_deadline else None,
                }
                for level in self.supervision.levels
            ],
        }


class _KeyError(ValueError):
    """A validation error that knows its key (relative: below the location pydantic knows)."""

    def __init__(self, key: str, reason: str, *, relative: bool = False) -> None:
        super().__init__(reason)
        self.key, self.reason, self.relative = key, reason, relative


def resolve_policy_path(name_or_path: str) -> Path:
    candidate = Path(name_or_path)
    if candidate.suffix == ".toml" or "/" in name_or_path:
        return candidate
    return Path(settings.KEFU_POLICY_DIR) / f"{name_or_path}.toml"


def load_policy(path: Path) -> Policy:
    """Read and validate one policy file; PolicyError names what is wrong."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PolicyError(path, "-", "file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(path, "-", f"not valid TOML: {exc}") from None
    try:
        return Policy.model_validate(raw)
    except _KeyError as exc:
        raise PolicyError(path, exc.key, exc.reason) from None
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(part) for part in first["loc"]) or "-"
        cause = first.get("ctx", {}).get("error")
        if isinstance(cause, _KeyError):
            full_key = f"{key}.{cause.key}" if cause.relative else cause.key
            raise PolicyError(path, full_key, cause.reason) from None
        raise PolicyError(path, key, first["msg"].removeprefix("Value error, ")) from None


@functools.lru_cache(maxsize=8)
def _cached_policy(name_or_path: str) -> Policy:
    return load_policy(resolve_policy_path(name_or_path))


def active_policy() -> Policy:
    """The policy chosen by KEFU_POLICY, loaded once per process."""
    return _cached_policy(settings.KEFU_POLICY)
