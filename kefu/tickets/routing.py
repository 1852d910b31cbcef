"""Which department should get an order: the policy's routing rules over the jurisdictions."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from kefu.accounts.models import Department, Jurisdiction
from kefu.core.caches import process_cached
from kefu.core.policy import active_policy, in_language


@dataclass(frozen=True)
class Suggestion:
    department: Department | None
    reason: str  # as the policy words it (recorded on the order's events)
    reason_en: str | None = None

    @property
    def explanation(self) -> str:
        """The reason in the reader's language, where the policy gives one."""
        return in_language(self.reason, self.reason_en)


@process_cached
def active_departments() -> dict[str, Department]:
    """The active departments by code (cached per process; see kefu.core.caches)."""
    return {d.code: d for d in Department.objects.filter(active=True)}


@process_cached
def active_departments_by_id() -> dict[int, Department]:
    """The same departments by id (the rows an order points to)."""
    return {d.pk: d for d in active_departments().values()}


@process_cached
def active_jurisdictions() -> list[Jurisdiction]:
    """The active departments' jurisdictions in the order routing asks them."""
    return list(
        Jurisdiction.objects.select_related("department")
        .filter(department__active=True)
        .order_by("department__code", "id")
    )


def suggest_department(
    *, request_type: str, voltage_kv: Decimal | None, district: str, topic: str
) -> Suggestion:
    """The first matching rule of the policy decides; `by_jurisdiction` asks the table."""
    for rule in active_policy().routing:
        if request_type not in rule.types:
            continue
        if rule.topics is not None and topic not in rule.topics:
            continue
        if rule.min_voltage_kv is not None and (
            voltage_kv is None or voltage_kv < rule.min_voltage_kv
        ):
            continue
        if rule.max_voltage_kv is not None and (
            voltage_kv is None or voltage_kv > rule.max_voltage_kv
        ):
            continue
        if rule.department:
            department = active_departments().get(rule.department)
            if department is None:
                return Suggestion(
                    None,
                    f"{rule.reason}（部门 {rule.department} 未配置）",
                    f"{rule.reason_en or rule.reason} (department {rule.department} is not set up)",
                )
            return Suggestion(department, rule.reason, rule.reason_en)
        for jurisdiction in active_jurisdictions():
            if jurisdiction.covers(request_type, voltage_kv, district):
                return Suggestion(jurisdiction.department, rule.reason, rule.reason_en)
        return Suggestion(
            None,
            f"{rule.reason}（没有部门的供区覆盖“{district or '未知片区'}”）",
            f"{rule.reason_en or rule.reason} (no department's area covers "
            f"“{district or 'an unknown district'}”)",
        )
    return Suggestion(None, "策略中没有匹配的派单规则", "no routing rule of the policy matches")
