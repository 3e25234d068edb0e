"""Which enterprises qualify for which policies (政策匹配), fast enough for a county at once.

Every firm's attributes are loaded once, in a fixed number of queries whatever the number of
firms or policies (``Snapshot.load``: enterprises with their region path, honour awards, yearly
figures, tags), and indexed: attribute value → the set of firm ids holding it, numbers as sorted
lists. A condition then is a union of index sets (values within a condition are OR'd) or a
range cut by bisection, and a policy's firms are the intersection over its conditions (all must
hold), so matching 30 policies against 10,000 firms is set arithmetic in C, not 300,000 calls.

The rules the data cannot show:

- Honours: a firm holds an honour for year Y when it was awarded it in Y, Y-1 or Y-2: the
  certificates the county records (高新技术企业, 专精特新, 科技型中小企业…) run three years.
  Y is the year of the evaluation date (today unless ``on`` is given), moved into the
  policy's years of validity, so an expired policy is judged as in its last year.
- Output value, tax: the firm's latest ``YearFigures`` (the office enters last year's accounts),
  so "上年产值 ≥ 2000" reads the most recent year recorded. A firm without figures fails every
  number condition. Employees: the latest figures' count, else ``Organisation.employees``.
- Region: the firm's region is in the subtree of one of the condition's regions.
- A policy without conditions matches every enterprise; manual conditions
  (``Policy.manual_conditions``) are for a person to check and are not evaluated here.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from enterprises.models import (
    ConditionAttribute,
    EnterpriseTag,
    Honour,
    HonourAward,
    Policy,
    PolicyCondition,
    YearFigures,
)
from orgs.models import ChainPosition, EnterpriseSize, Organisation, OrgKind
from regions.models import Region

A = ConditionAttribute
# Attributes whose condition lists values (any one of them holds).
SET_ATTRIBUTES = frozenset(
    {A.INDUSTRY, A.SIZE, A.PARK, A.CHAIN_POSITION, A.REGION, A.HONOUR, A.TAG}
)
# Attributes whose condition is a range [minimum, maximum], either end open.
NUMBER_ATTRIBUTES = frozenset({A.OUTPUT_VALUE, A.TAX, A.EMPLOYEES})
# ``values`` is [true] (must be above scale) or [false] (must not be).
FLAG_ATTRIBUTES = frozenset({A.ABOVE_SCALE})
# How many years an honour award counts: its own and the two after it.
HONOUR_YEARS = 3
# More ids than this in one ``IN (…)`` and the whole county is loaded and filtered instead
# (SQLite caps the parameters of a statement; the full load costs a few hundred ms at most).
MAX_IN_IDS = 900

Enterprises = QuerySet[Organisation] | Iterable[Organisation | int] | None


@dataclass(slots=True)
class Firm:
    """One enterprise's attributes as matching reads them."""

    id: int
    name: str
    credit_code: str
    industry: str
    size: str
    park: str
    chain_position: str
    above_scale: bool
    region_path: str
    honours: dict[str, set[int]] = field(default_factory=dict)  # honour code → award years
    tags: set[str] = field(default_factory=set)
    figures_year: int | None = None
    output_value: Decimal | None = None
    tax: Decimal | None = None
    employees: int | None = None


def _range(
    ordered: list[tuple[Decimal, int]], low: Decimal | None, high: Decimal | None
) -> set[int]:
    keys = [value for value, _pk in ordered]
    start = 0 if low is None else bisect_left(keys, low)
    end = len(ordered) if high is None else bisect_right(keys, high)
    return {pk for _value, pk in ordered[start:end]}


def evaluation_year(policy: Policy, on: date) -> int:
    """The year whose honours count for ``policy`` judged on ``on`` (see the module's rules)."""
    year = on.year
    if policy.valid_until is not None:
        year = min(year, policy.valid_until.year)
    return max(year, policy.valid_from.year)


class Snapshot:
    """The attributes of a set of enterprises, loaded once and indexed for matching."""

    def __init__(self, firms: dict[int, Firm]) -> None:
        self.firms = firms
        self.all_ids = frozenset(firms)
        self.by_value: dict[str, dict[Any, set[int]]] = {
            name: defaultdict(set) for name in ("industry", "size", "park", "chain_position")
        }
        self.above_scale: set[int] = set()
        self.by_region_path: dict[str, set[int]] = defaultdict(set)
        self.by_honour_year: dict[tuple[str, int], set[int]] = defaultdict(set)
        self.by_tag: dict[str, set[int]] = defaultdict(set)
        numbers: dict[str, list[tuple[Decimal, int]]] = {name: [] for name in NUMBER_ATTRIBUTES}
        for pk, firm in firms.items():
            for name, index in self.by_value.items():
                index[getattr(firm, name)].add(pk)
            if firm.above_scale:
                self.above_scale.add(pk)
            if firm.region_path:
                self.by_region_path[firm.region_path].add(pk)
            for code, years in firm.honours.items():
                for year in years:
                    self.by_honour_year[code, year].add(pk)
            for tag in firm.tags:
                self.by_tag[tag].add(pk)
            for name in NUMBER_ATTRIBUTES:
                value = getattr(firm, name)
                if value is not None:
                    numbers[name].append((Decimal(value), pk))
        self.numbers = {name: sorted(rows) for name, rows in numbers.items()}
        self.region_paths: dict[int, str] = {}

    @classmethod
    def load(cls, enterprises: Enterprises = None) -> Snapshot:
        """The enterprises' attributes (all enterprises when None) in four queries."""
        base = Organisation.objects.filter(kind=OrgKind.ENTERPRISE)
        ids: list[int] | None = None
        if isinstance(enterprises, QuerySet):
            base = base.filter(pk__in=enterprises.values("pk"))
        elif enterprises is not None:
            ids = [e if isinstance(e, int) else e.pk for e in enterprises]
            if len(ids) <= MAX_IN_IDS:
                base = base.filter(pk__in=ids)
        wanted = None if ids is None or len(ids) <= MAX_IN_IDS else set(ids)
        firms: dict[int, Firm] = {}
        rows = base.values_list(
            "pk",
            "name",
            "credit_code",
            "industry",
            "size",
            "park",
            "chain_position",
            "is_above_scale",
            "region__path",
            "employees",
        )
        for pk, name, code, industry, size, park, position, above, path, staff in rows:
            if wanted is None or pk in wanted:
                firm = Firm(pk, name, code or "", industry, size, park, position, above, path or "")
                firm.employees = staff
                firms[pk] = firm
        on_firms = {"enterprise__in": base.values("pk")}
        awards = HonourAward.objects.filter(**on_firms).order_by()
        for pk, code, year in awards.values_list("enterprise_id", "honour__code", "year"):
            if pk in firms:
                firms[pk].honours.setdefault(code, set()).add(year)
        # Ascending years: the last row of a firm is its latest.
        figures = YearFigures.objects.filter(**on_firms).order_by("enterprise_id", "year")
        latest: dict[int, tuple[int, Decimal, Decimal, int | None]] = {}
        for pk, year, output, tax, staff in figures.values_list(
            "enterprise_id", "year", "output_value", "tax", "employees"
        ):
            latest[pk] = (year, output, tax, staff)
        for pk, (year, output, tax, staff) in latest.items():
            if pk in firms:
                firm = firms[pk]
                firm.figures_year, firm.output_value, firm.tax = year, output, tax
                if staff is not None:
                    firm.employees = staff
        tagged = EnterpriseTag.enterprises.through.objects.filter(
            organisation__in=base.values("pk")
        )
        for pk, name in tagged.values_list("organisation_id", "enterprisetag__name"):
            if pk in firms:
                firms[pk].tags.add(name)
        return cls(firms)

    def load_region_paths(self, conditions: Iterable[PolicyCondition]) -> None:
        """The paths of the regions the conditions name (one query, only when there are any)."""
        wanted = {
            int(value)
            for c in conditions
            if c.attribute == A.REGION
            for value in c.values
            if int(value) not in self.region_paths
        }
        if wanted:
            self.region_paths.update(Region.objects.filter(pk__in=wanted).values_list("pk", "path"))

    def holding(self, condition: PolicyCondition, year: int) -> set[int]:
        """The ids of the firms for which ``condition`` holds."""
        attribute, values = condition.attribute, condition.values or []
        if attribute in self.by_value:
            index = self.by_value[attribute]
            return set().union(*(index.get(v, ()) for v in values))
        if attribute == A.ABOVE_SCALE:
            wanted = bool(values[0]) if values else True
            return set(self.above_scale) if wanted else set(self.all_ids - self.above_scale)
        if attribute == A.REGION:
            prefixes = tuple(
                self.region_paths[int(v)] for v in values if int(v) in self.region_paths
            )
            if not prefixes:
                return set()
            return set().union(
                *(ids for path, ids in self.by_region_path.items() if path.startswith(prefixes))
            )
        if attribute == A.HONOUR:
            years = range(year - HONOUR_YEARS + 1, year + 1)
            return set().union(
                *(self.by_honour_year.get((code, y), ()) for code in values for y in years)
            )
        if attribute == A.TAG:
            return set().union(*(self.by_tag.get(name, ()) for name in values))
        if attribute in NUMBER_ATTRIBUTES:
            return _range(self.numbers[attribute], condition.minimum, condition.maximum)
        return set()

    def matching(self, policy: Policy, conditions: list[PolicyCondition], on: date) -> set[int]:
        year = evaluation_year(policy, on)
        result: set[int] | None = None
        # The narrowest first would need every set; intersecting in order is already cheap.
        for condition in conditions:
            held = self.holding(condition, year)
            result = held if result is None else result & held
            if not result:
                return set()
        return set(self.all_ids) if result is None else result


def _conditions(policies: list[Policy]) -> dict[int, list[PolicyCondition]]:
    """Each policy's conditions: the prefetched ones, else one query for all of them."""
    cache: list[Any] = [
        getattr(p, "_prefetched_objects_cache", {}).get("conditions") for p in policies
    ]
    if all(c is not None for c in cache):
        return {p.pk: list(c) for p, c in zip(policies, cache, strict=True)}
    found: dict[int, list[PolicyCondition]] = {p.pk: [] for p in policies}
    for condition in PolicyCondition.objects.filter(policy__in=[p.pk for p in policies]):
        found[condition.policy_id].append(condition)
    return found


def match(
    policies: Iterable[Policy],
    enterprises: Enterprises = None,
    *,
    on: date | None = None,
    snapshot: Snapshot | None = None,
) -> dict[int, set[int]]:
    """Policy id → the ids of the enterprises (all of them when None) meeting its conditions,
    whatever the policies' status or dates; judged on ``on`` (today)."""
    policies = list(policies)
    on = on or timezone.localdate()
    conditions = _conditions(policies)
    snapshot = snapshot or Snapshot.load(enterprises)
    snapshot.load_region_paths(c for rows in conditions.values() for c in rows)
    return {p.pk: snapshot.matching(p, conditions[p.pk], on) for p in policies}


def firms_for(policy: Policy, *, on: date | None = None) -> list[int]:
    """The ids of the enterprises meeting ``policy``'s conditions, in id order."""
    return sorted(match([policy], on=on)[policy.pk])


def policies_for(enterprise: Organisation, on: date | None = None) -> list[Policy]:
    """The published policies in force on ``on`` (today) whose conditions ``enterprise`` meets."""
    on = on or timezone.localdate()
    policies = list(Policy.objects.published().in_force(on).prefetch_related("conditions"))
    found = match(policies, [enterprise], on=on)
    return [p for p in policies if enterprise.pk in found[p.pk]]


# --- Words ----------------------------------------------------------------------------------

NUMBER_WORDS = {A.OUTPUT_VALUE: "上年产值", A.TAX: "上年税收", A.EMPLOYEES: "从业人数"}


def _number(value: Decimal) -> str:
    text = format(value.normalize(), "f") if value == value.to_integral() else str(value)
    return text


class Words:
    """Names of the honours and regions conditions refer to, loaded once (two queries)."""

    def __init__(self, conditions: Iterable[PolicyCondition]) -> None:
        conditions = list(conditions)
        codes = {v for c in conditions if c.attribute == A.HONOUR for v in c.values}
        regions = {int(v) for c in conditions if c.attribute == A.REGION for v in c.values}
        self.honours = (
            dict(Honour.objects.filter(code__in=codes).values_list("code", "name")) if codes else {}
        )
        self.regions = (
            dict(Region.objects.filter(pk__in=regions).values_list("pk", "name")) if regions else {}
        )

    def value(self, attribute: str, value: Any) -> str:
        if attribute == A.SIZE:
            return str(EnterpriseSize(value).label) if value in EnterpriseSize.values else value
        if attribute == A.CHAIN_POSITION:
            return str(ChainPosition(value).label) if value in ChainPosition.values else value
        if attribute == A.HONOUR:
            return self.honours.get(value, value)
        if attribute == A.REGION:
            return self.regions.get(int(value), str(value))
        return str(value)

    def describe(self, condition: PolicyCondition) -> str:
        """The condition in words: “荣誉资质：规上工业企业 或 高新技术企业”, “上年产值 ≥ 2000 万元”."""
        attribute = condition.attribute
        if attribute == A.ABOVE_SCALE:
            wanted = bool(condition.values[0]) if condition.values else True
            return _("规模以上企业") if wanted else _("非规模以上企业")
        if attribute in NUMBER_ATTRIBUTES:
            unit = _("人") if attribute == A.EMPLOYEES else _("万元")
            low, high = condition.minimum, condition.maximum
            name = NUMBER_WORDS[A(attribute)]
            if low is not None and high is not None:
                return f"{name} {_number(low)}–{_number(high)} {unit}"
            if low is not None:
                return f"{name} ≥ {_number(low)} {unit}"
            return f"{name} ≤ {_number(high or Decimal(0))} {unit}"
        label = A(attribute).label
        values = _(" 或 ").join(self.value(attribute, v) for v in condition.values)
        return f"{label}：{values}"

    def facts(self, firm: Firm, condition: PolicyCondition, year: int) -> str:
        """What ``firm`` holds that meets ``condition``, in words (the 免申即享 list)."""
        attribute = condition.attribute
        if attribute == A.HONOUR:
            held = []
            for code in condition.values:
                years = [y for y in firm.honours.get(code, ()) if year - HONOUR_YEARS < y <= year]
                if years:
                    held.append(f"{self.value(attribute, code)}（{max(years)}）")
            return "、".join(held)
        if attribute in NUMBER_ATTRIBUTES:
            value = getattr(firm, attribute)
            unit = _("人") if attribute == A.EMPLOYEES else _("万元")
            shown = _number(Decimal(value)) if value is not None else "—"
            if attribute != A.EMPLOYEES and firm.figures_year:
                return f"{NUMBER_WORDS[A(attribute)]} {shown} {unit}（{firm.figures_year}）"
            return f"{NUMBER_WORDS[A(attribute)]} {shown} {unit}"
        if attribute == A.ABOVE_SCALE:
            return _("规模以上企业") if firm.above_scale else _("非规模以上企业")
        if attribute == A.TAG:
            return "、".join(sorted(firm.tags & set(condition.values)))
        if attribute == A.REGION:
            return _("所在区域符合")
        value = getattr(firm, attribute)
        return f"{A(attribute).label}：{self.value(attribute, value)}"


@dataclass
class ExemptRow:
    """One firm of a 免申即享 list: who, the facts that qualify it, what it is due."""

    enterprise_id: int
    name: str
    credit_code: str
    facts: list[str]
    amount: Decimal | None


def exempt_list(
    policy: Policy,
    *,
    visible: set[int] | None = None,
    on: date | None = None,
    snapshot: Snapshot | None = None,
    words: Words | None = None,
) -> list[ExemptRow]:
    """The firms ``policy`` pays without an application, with their qualifying facts and the
    amount (the policy's ``max_amount``; the department settles the exact figure), limited to
    ``visible`` ids when given; by name. A page that matched already passes its ``snapshot``
    and ``words``, so nothing is loaded twice."""
    on = on or timezone.localdate()
    conditions = _conditions([policy])[policy.pk]
    snapshot = snapshot or Snapshot.load()
    snapshot.load_region_paths(conditions)
    ids = snapshot.matching(policy, conditions, on)
    if visible is not None:
        ids &= visible
    words = words or Words(conditions)
    year = evaluation_year(policy, on)
    rows = []
    for pk in ids:
        firm = snapshot.firms[pk]
        facts = [words.facts(firm, c, year) for c in conditions]
        rows.append(
            ExemptRow(pk, firm.name, firm.credit_code, [f for f in facts if f], policy.max_amount)
        )
    return sorted(rows, key=lambda row: (row.name, row.enterprise_id))
