"""Importing ledgers: check every row first, then write all good rows in one transaction.

A run reads the sheet, looks up everything it refers to in a few batch queries, checks each row
field by field (every bad field is reported with its sheet row and a Chinese reason), and only
then writes. With bad rows nothing is written unless ``skip_bad_rows``; a dry run writes nothing.
Cases are registered through ``cases.services.report_case`` only, keyed by the ledger's content
digest and row number so importing the same ledger twice registers nothing twice.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from cases import services
from cases.models import Case, CaseType, Category, Channel, Priority, Via
from ledgers import fields as f
from ledgers.columns import CASE_COLUMNS, ENTERPRISE_COLUMNS, PEOPLE_COLUMNS
from ledgers.lookups import OrganisationLookup, RegionLookup, enterprises_by_code, fetch_in
from ledgers.reader import Column, Ledger, Row, read_ledger
from orgs.models import ChainPosition, EnterpriseSize, Organisation, OrgKind
from people.models import EnterpriseLink, EnterpriseLinkKind, Person, User
from regions.models import Region, RegionLevel

ROW_COLUMN = gettext_lazy("整行")


def _options(choices: Any, *, short: bool = False) -> dict[str, str]:
    """Every accepted spelling of a TextChoices member: its label, its short label, its code."""
    options: dict[str, str] = {}
    with override("zh-hans"):  # ledgers are written in Chinese whatever the UI language
        pairs = [(value, str(label)) for value, label in choices.choices]
    for value, label in pairs:
        label = re.sub(r"\s+", "", f.text(str(label)))
        options[label] = value
        if short:
            options[label.split("(")[0]] = value
        options[value] = value
    return options


@dataclass(frozen=True)
class RowError:
    """One bad field of one row, as the user sees it: "第5行 统一社会信用代码：校验位错误"."""

    row: int
    column: str
    message: str
    value: str = ""

    def __str__(self) -> str:
        return _("第%(row)d行 %(column)s：%(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


@dataclass
class ImportResult:
    """What a run found and did; ``imported`` is true only when rows were written."""

    label: str
    sheet: str = ""
    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    links_created: int = 0
    errors: list[RowError] = field(default_factory=list)
    bad_rows: list[Row] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    ignored_headers: list[str] = field(default_factory=list)
    # planned: the good rows were written (or, in a dry run, counted); imported: and committed.
    planned: bool = False
    imported: bool = False
    dry_run: bool = False

    @property
    def good(self) -> int:
        return self.total - len(self.bad_rows)


class RowChecker:
    """Runs the field parsers of one row and collects every failure with its column header."""

    def __init__(self, row: Row, headers: dict[str, str]) -> None:
        self.row = row
        self.headers = headers
        self.errors: list[RowError] = []
        self.failed: set[str] = set()

    def get(self, key: str, parser: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return parser(self.row.values.get(key), *args, **kwargs)
        except f.FieldError as exc:
            self.fail(key, str(exc))
            return None

    def fail(self, key: str, message: str) -> None:
        value = self.row.values.get(key)
        shown = "" if value is None else str(value)
        self.errors.append(RowError(self.row.number, self.headers.get(key, key), message, shown))
        self.failed.add(key)

    def ok(self, key: str) -> bool:
        return key not in self.failed


class RowWriteError(Exception):
    """A row the database refused while writing (after it passed every check)."""

    def __init__(self, row: Row, message: str) -> None:
        super().__init__(message)
        self.row = row
        self.message = message


class Importer:
    """The run shared by every ledger: read, look up, check each row, write the good ones."""

    kind: ClassVar[str]
    label: ClassVar[str | Promise]
    columns: ClassVar[list[Column]]

    def __init__(self, *, skip_bad_rows: bool = False, dry_run: bool = False) -> None:
        self.skip_bad_rows = skip_bad_rows
        self.dry_run = dry_run
        self.headers = {c.key: c.header for c in self.columns}
        self.order = {c.header: i for i, c in enumerate(self.columns)}

    def run(self, path: str, *, sheet: str | None = None) -> ImportResult:
        ledger = read_ledger(path, self.columns, sheet)
        result = ImportResult(
            label=str(self.label),
            sheet=ledger.sheet_name,
            total=len(ledger.rows),
            headers=ledger.headers,
            ignored_headers=ledger.ignored_headers,
            dry_run=self.dry_run,
        )
        self.ledger = ledger
        self.prepare(ledger)
        plans: list[Any] = []
        for row in ledger.rows:
            checker = RowChecker(row, self.headers)
            plan = self.check(checker)
            if checker.errors:
                # A row's reasons in the order of its columns, whole-row reasons last.
                checker.errors.sort(key=lambda e: self.order.get(e.column, len(self.order)))
                result.errors.extend(checker.errors)
                result.bad_rows.append(row)
            else:
                plans.append(plan)
        if (result.errors and not self.skip_bad_rows) or not plans:
            return result
        if self.dry_run:
            self.write(plans, result, save=False)
            result.planned = True
            return result
        try:
            with transaction.atomic():
                self.write(plans, result, save=True)
        except RowWriteError as exc:
            # The whole import rolled back: nothing of it stays.
            result.created = result.updated = result.unchanged = result.links_created = 0
            result.errors.append(RowError(exc.row.number, str(ROW_COLUMN), exc.message))
            result.bad_rows.append(exc.row)
            return result
        result.planned = result.imported = True
        return result

    def prepare(self, ledger: Ledger) -> None:
        """Look up, in a few batch queries, every registry row the ledger refers to."""

    def check(self, c: RowChecker) -> Any:
        """Check one row; return the plan to write it (used only when the row has no errors)."""
        raise NotImplementedError

    def write(self, plans: list[Any], result: ImportResult, *, save: bool) -> None:
        """Write (or, with ``save`` false, only count) the good rows."""
        raise NotImplementedError

    def summary(self, result: ImportResult) -> str:
        return _("新增 %(created)d，更新 %(updated)d，无变化 %(unchanged)d") % {
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
        }

    def values(self, key: str, parser: Any = f.text) -> set[str]:
        """The cleaned values of one column over all rows, for batch look-ups (bad ones left out)."""
        found = set()
        for row in self.ledger.rows:
            try:
                found.add(parser(row.values.get(key)))
            except f.FieldError:
                continue
        return found - {""}

    @classmethod
    def reference_sheets(cls) -> list[tuple[str, list[str], list[list[Any]]]]:
        """Extra sheets for the blank template: the values the ledger may refer to."""
        return []


def _resolve(c: RowChecker, key: str, resolve: Any, value: str) -> Any:
    """Resolve a registry reference, recording a failure against the row's column."""
    try:
        return resolve(value)
    except f.FieldError as exc:
        c.fail(key, str(exc))
        return None


def _apply(obj: Any, values: dict[str, Any]) -> list[str]:
    """Set the given fields on ``obj``; the names of those that changed."""
    changed = []
    for name, value in values.items():
        # A foreign key is compared by id: reading the related object would cost a query a row.
        current = getattr(obj, f"{name}_id") if isinstance(value, Model) else getattr(obj, name)
        if current != (value.pk if isinstance(value, Model) else value):
            setattr(obj, name, value)
            changed.append(name)
    return changed


# --- Enterprises ------------------------------------------------------------------------------


@dataclass
class EnterprisePlan:
    row: Row
    code: str
    existing: Organisation | None
    values: dict[str, Any]


class EnterpriseImporter(Importer):
    """企业台账: an unknown credit code creates an enterprise, a known one updates its profile."""

    kind = "enterprises"
    label = gettext_lazy("企业")
    columns = ENTERPRISE_COLUMNS

    def prepare(self, ledger: Ledger) -> None:
        self.by_code = enterprises_by_code(self.values("credit_code", f.code_text))
        self.names: dict[str, list[Organisation]] = {}
        for org in fetch_in(Organisation.objects.enterprises(), "name", self.values("name")):
            self.names.setdefault(org.name, []).append(org)
        self.regions = RegionLookup(self.values("region"))
        self.chains = OrganisationLookup(self.values("chain"), kinds=[OrgKind.CHAIN_COMMITTEE])
        self.seen_codes: dict[str, int] = {}
        self.seen_names: dict[str, tuple[int, str]] = {}
        self.size_options = _options(EnterpriseSize)
        self.position_options = _options(ChainPosition, short=True)

    def check(self, c: RowChecker) -> EnterprisePlan:
        number = c.row.number
        name = c.get("name", f.text, max_length=150, required=True)
        code = c.get("credit_code", f.credit_code)
        existing = None
        if code:
            existing = self.by_code.get(code)
            if code in self.seen_codes:
                c.fail("credit_code", _("与第%(n)d行重复") % {"n": self.seen_codes[code]})
            else:
                self.seen_codes[code] = number
            if existing is not None and existing.kind != OrgKind.ENTERPRISE:
                c.fail("credit_code", _("已被非企业组织“%(name)s”使用") % {"name": existing.name})
        if name and code:
            first = self.seen_names.get(name)
            if first and first[1] != code:
                c.fail(
                    "name", _("与第%(n)d行企业名称相同，但统一社会信用代码不同") % {"n": first[0]}
                )
            self.seen_names.setdefault(name, (number, code))
            others = [o for o in self.names.get(name, []) if o.credit_code != code]
            if others:
                c.fail(
                    "name",
                    _("系统中已有同名企业（统一社会信用代码 %(code)s），请核对代码")
                    % {"code": others[0].credit_code},
                )
        values: dict[str, Any] = {"name": name}
        values["industry"] = c.get("industry", f.text, max_length=50)
        values["size"] = c.get("size", f.choice, self.size_options)
        values["park"] = c.get("park", f.text, max_length=100)
        values["chain_position"] = c.get("chain_position", f.choice, self.position_options)
        values["employees"] = c.get("employees", f.non_negative_int)
        values["phone"] = c.get("phone", f.phone, max_length=30)
        region = c.get("region", f.text)
        if region:
            values["region"] = _resolve(c, "region", self.regions.resolve, region)
        chain = c.get("chain", f.text)
        if chain:
            missing = _("系统中没有名为“%(v)s”的产业链党委")
            values["chain"] = _resolve(
                c, "chain", lambda v: self.chains.resolve(v, missing=missing), chain
            )
        # A blank cell keeps what the registry already holds when updating.
        values = {k: v for k, v in values.items() if v not in (None, "")}
        return EnterprisePlan(c.row, code or "", existing, values)

    def write(self, plans: list[EnterprisePlan], result: ImportResult, *, save: bool) -> None:
        new: list[Organisation] = []
        changed_objs: list[Organisation] = []
        changed_fields: set[str] = set()
        for plan in plans:
            if plan.existing is None:
                new.append(
                    Organisation(kind=OrgKind.ENTERPRISE, credit_code=plan.code, **plan.values)
                )
                continue
            changed = _apply(plan.existing, plan.values)
            if changed:
                changed_objs.append(plan.existing)
                changed_fields.update(changed)
            else:
                result.unchanged += 1
        result.created, result.updated = len(new), len(changed_objs)
        if save:
            Organisation.objects.bulk_create(new, batch_size=500)
            if changed_objs:
                Organisation.objects.bulk_update(
                    changed_objs, sorted(changed_fields), batch_size=500
                )

    @classmethod
    def reference_sheets(cls) -> list[tuple[str, list[str], list[list[Any]]]]:
        chains = Organisation.objects.filter(kind=OrgKind.CHAIN_COMMITTEE, is_active=True).order_by(
            "name"
        )
        return [
            (
                str(_("产业链党委")),
                [str(_("名称")), str(_("简称"))],
                [[o.name, o.short_name] for o in chains],
            ),
            region_sheet(),
        ]


# --- People -----------------------------------------------------------------------------------


@dataclass
class PersonPlan:
    row: Row
    existing: Person | None
    values: dict[str, Any]
    links: list[tuple[Organisation, str]]


LINK_SEPARATORS = re.compile(r"[、,，;；\s]+")


class PersonImporter(Importer):
    """人员台账: a person is found again by ID number, else by name and mobile number."""

    kind = "people"
    label = gettext_lazy("人员")
    columns = PEOPLE_COLUMNS

    def prepare(self, ledger: Ledger) -> None:
        self.by_id: dict[str, list[Person]] = {}
        for person in fetch_in(
            Person.objects.all(), "id_number", self.values("id_number", f.code_text)
        ):
            self.by_id.setdefault(person.id_number, []).append(person)
        self.by_phone: dict[tuple[str, str], list[Person]] = {}
        for person in fetch_in(Person.objects.all(), "phone", self.values("phone", f.mobile)):
            self.by_phone.setdefault((person.name, person.phone), []).append(person)
        self.regions = RegionLookup(self.values("region"))
        self.orgs = OrganisationLookup(self.values("organisation"))
        codes = set()
        for cell in self.values("enterprises", f.code_text):
            codes.update(LINK_SEPARATORS.split(cell))
        self.enterprises = enterprises_by_code(codes)
        self.link_options = _options(EnterpriseLinkKind)
        self.seen_ids: dict[str, int] = {}
        self.seen_people: dict[tuple[str, str], int] = {}

    def check(self, c: RowChecker) -> PersonPlan:
        number = c.row.number
        name = c.get("name", f.text, max_length=50, required=True)
        phone = c.get("phone", f.mobile, required=True)
        id_number = c.get("id_number", f.id_number)
        existing = None
        if id_number:
            if id_number in self.seen_ids:
                c.fail("id_number", _("与第%(n)d行重复") % {"n": self.seen_ids[id_number]})
            self.seen_ids.setdefault(id_number, number)
            holders = self.by_id.get(id_number, [])
            if name and holders and all(p.name != name for p in holders):
                c.fail(
                    "id_number",
                    _("系统中该身份证号属于另一人（%(name)s）") % {"name": holders[0].masked_name},
                )
            existing = next((p for p in holders if p.name == name), None)
        if name and phone:
            key = (name, phone)
            if key in self.seen_people:
                c.fail(
                    "phone",
                    _("与第%(n)d行为同一人（姓名和手机号相同）") % {"n": self.seen_people[key]},
                )
            self.seen_people.setdefault(key, number)
            if existing is None and c.ok("id_number"):
                same = self.by_phone.get(key, [])
                if len(same) > 1:
                    c.fail(
                        "phone",
                        _(
                            "系统中有%(n)d名同名且手机号相同的人员，无法确定更新哪一位，请补充身份证号"
                        )
                        % {"n": len(same)},
                    )
                elif same:
                    if id_number and same[0].id_number and same[0].id_number != id_number:
                        c.fail("id_number", _("系统中同名同手机号人员的身份证号与此不同，请核对"))
                    existing = same[0]
        values: dict[str, Any] = {"name": name, "phone": phone, "id_number": id_number}
        values["position"] = c.get("position", f.text, max_length=50)
        values["is_party_member"] = c.get("is_party_member", f.yes_no)
        region = c.get("region", f.text)
        if region:
            values["region"] = _resolve(c, "region", self.regions.resolve, region)
        organisation = c.get("organisation", f.text)
        if organisation:
            missing = _("系统中没有名称、简称或统一社会信用代码为“%(v)s”的组织")
            values["organisation"] = _resolve(
                c, "organisation", lambda v: self.orgs.resolve(v, missing=missing), organisation
            )
        links = self._links(c)
        values = {k: v for k, v in values.items() if v not in (None, "")}
        return PersonPlan(c.row, existing, values, links)

    def _links(self, c: RowChecker) -> list[tuple[Organisation, str]]:
        cell = c.get("enterprises", f.code_text)
        kind = c.get("link_kind", f.choice, self.link_options)
        if cell is None or kind is None:
            return []
        if cell and not kind:
            c.fail("link_kind", _("填写了联系企业时必须填写联系类型"))
        if kind and not cell:
            c.fail("enterprises", _("填写了联系类型时必须填写联系企业的统一社会信用代码"))
        links = []
        for code in [p for p in LINK_SEPARATORS.split(cell) if p]:
            try:
                code = f.credit_code(code)
            except f.FieldError as exc:
                c.fail("enterprises", f"{code}：{exc}")
                continue
            enterprise = self.enterprises.get(code)
            if enterprise is None or enterprise.kind != OrgKind.ENTERPRISE:
                c.fail(
                    "enterprises",
                    _("系统中没有统一社会信用代码为%(code)s的企业（请先导入企业台账）")
                    % {"code": code},
                )
                continue
            links.append((enterprise, kind))
        return links

    def write(self, plans: list[PersonPlan], result: ImportResult, *, save: bool) -> None:
        new: list[tuple[Person, PersonPlan]] = []
        changed_objs: list[Person] = []
        changed_fields: set[str] = set()
        for plan in plans:
            if plan.existing is None:
                new.append((Person(**plan.values), plan))
                continue
            changed = _apply(plan.existing, plan.values)
            if changed:
                changed_objs.append(plan.existing)
                changed_fields.update(changed)
            else:
                result.unchanged += 1
        result.created, result.updated = len(new), len(changed_objs)
        if save:
            Person.objects.bulk_create([p for p, _ in new], batch_size=500)
            if changed_objs:
                Person.objects.bulk_update(changed_objs, sorted(changed_fields), batch_size=500)
        known_people = [p.existing.pk for p in plans if p.existing and p.links]
        existing_links = {
            (link.person_id, link.enterprise_id, link.kind)
            for link in fetch_in(EnterpriseLink.objects.all(), "person_id", known_people)
        }
        missing: list[tuple[Person, Organisation, str]] = []
        for person, plan in [*new, *((p.existing, p) for p in plans if p.existing)]:
            for enterprise, kind in dict.fromkeys(plan.links):
                if plan.existing is None or (person.pk, enterprise.pk, kind) not in existing_links:
                    missing.append((person, enterprise, kind))
        result.links_created = len(missing)
        if save:
            EnterpriseLink.objects.bulk_create(
                [EnterpriseLink(person=p, enterprise=e, kind=k) for p, e, k in missing],
                batch_size=500,
            )

    def summary(self, result: ImportResult) -> str:
        return super().summary(result) + _("，新增企业联系 %(n)d") % {"n": result.links_created}

    @classmethod
    def reference_sheets(cls) -> list[tuple[str, list[str], list[list[Any]]]]:
        return [region_sheet()]


# --- Cases ------------------------------------------------------------------------------------


def _fingerprint(fields: dict[str, Any]) -> str:
    """The content of a case row, to recognise the same matter in another ledger."""
    enterprise = fields.get("enterprise")
    content = [
        fields["case_type"].code,
        fields["title"],
        fields["description"],
        fields["region"].code,
        fields["requester_name"],
        fields["requester_phone"],
        enterprise.credit_code if enterprise else "",
        fields["details"].get("ledger_received_at", ""),
    ]
    return hashlib.sha256(json.dumps(content, ensure_ascii=False).encode()).hexdigest()[:32]


@dataclass
class CasePlan:
    row: Row
    source_key: str
    exists: bool
    fields: dict[str, Any]


class CaseImporter(Importer):
    """诉求台账: each row is registered through report_case, once, however often it is imported."""

    kind = "cases"
    label = gettext_lazy("事项")
    columns = CASE_COLUMNS

    def __init__(self, *, actor: User, skip_bad_rows: bool = False, dry_run: bool = False) -> None:
        super().__init__(skip_bad_rows=skip_bad_rows, dry_run=dry_run)
        self.actor = actor

    def source_key(self, row: Row) -> str:
        """The same ledger content and row always give the same key (see ``reader.Ledger.digest``)."""
        return f"ledger:{self.ledger.digest[:40]}:{row.number}"

    def prepare(self, ledger: Ledger) -> None:
        self.types: dict[str, CaseType] = {}
        for case_type in CaseType.objects.all():
            self.types.setdefault(case_type.code, case_type)
            self.types.setdefault(case_type.name, case_type)
        self.categories: dict[tuple[int, str], Category] = {}
        self.category_names: dict[int, list[str]] = {}
        for category in Category.objects.order_by("case_type", "code"):
            self.categories.setdefault((category.case_type_id, category.name), category)
            self.categories.setdefault((category.case_type_id, category.code), category)
            if category.is_active:
                self.category_names.setdefault(category.case_type_id, []).append(category.name)
        self.regions = RegionLookup(self.values("region"))
        self.enterprises = enterprises_by_code(self.values("enterprise", f.code_text))
        keys = [self.source_key(row) for row in ledger.rows]
        self.existing_keys = set(
            fetch_in(Case.objects.values_list("source_key", flat=True), "source_key", keys)
        )
        # Rows already imported from another ledger (an edited copy of this one, say): by content.
        self.imported: dict[str, str] = {}
        ledger_cases = Case.objects.filter(source_key__startswith="ledger:").values_list(
            "number", "details"
        )
        for number, details in fetch_in(ledger_cases, "title", self.values("title")):
            fingerprint = (details or {}).get("ledger_source", {}).get("fingerprint")
            if fingerprint:
                self.imported.setdefault(fingerprint, number)
        self.seen: dict[str, int] = {}
        self.channel_options = _options(Channel)
        self.priority_options = _options(Priority)

    def check(self, c: RowChecker) -> CasePlan:
        type_name = c.get("case_type", f.text, required=True)
        case_type = self.types.get(type_name) if type_name else None
        if type_name and case_type is None:
            c.fail(
                "case_type",
                _("系统中没有“%(v)s”这一事项类型，应为：%(allowed)s")
                % {
                    "v": type_name,
                    "allowed": "、".join(sorted({t.name for t in self.types.values()})),
                },
            )
        category = None
        category_name = c.get("category", f.text)
        if category_name and case_type is not None:
            category = self.categories.get((case_type.pk, category_name))
            if category is None:
                c.fail(
                    "category",
                    _("“%(v)s”不是“%(type)s”的分类，应为：%(allowed)s")
                    % {
                        "v": category_name,
                        "type": case_type.name,
                        "allowed": "、".join(self.category_names.get(case_type.pk, [])),
                    },
                )
            elif not category.is_active:
                c.fail("category", _("分类“%(v)s”已停用") % {"v": category_name})
        fields: dict[str, Any] = {
            "case_type": case_type,
            "category": category,
            "title": c.get("title", f.text, max_length=200, required=True),
            "description": c.get("description", f.text, required=True),
            "channel": c.get("channel", f.choice, self.channel_options, required=True),
            "requester_name": c.get("requester_name", f.text, max_length=50),
            "requester_phone": c.get("requester_phone", f.phone, max_length=20),
            "priority": c.get("priority", f.choice, self.priority_options) or None,
        }
        region = c.get("region", f.text, required=True)
        if region:
            fields["region"] = _resolve(c, "region", self.regions.resolve, region)
        code = c.get("enterprise", f.credit_code, required=False)
        if code:
            enterprise = self.enterprises.get(code)
            if enterprise is None or enterprise.kind != OrgKind.ENTERPRISE:
                c.fail(
                    "enterprise", _("系统中没有统一社会信用代码为%(code)s的企业") % {"code": code}
                )
            fields["enterprise"] = enterprise
        received = c.get("received_at", f.local_datetime)
        key = self.source_key(c.row)
        details: dict[str, Any] = {
            "ledger_source": {
                "digest": self.ledger.digest[:40],
                "sheet": self.ledger.sheet_name,
                "row": c.row.number,
            },
        }
        if received is not None:
            details["ledger_received_at"] = timezone.localtime(received).isoformat()
        fields["details"] = details
        exists = key in self.existing_keys
        if not c.errors:
            details["ledger_source"]["fingerprint"] = fingerprint = _fingerprint(fields)
            if not exists:
                self._check_repeat(c, fingerprint)
        return CasePlan(c.row, key, exists, fields)

    def _check_repeat(self, c: RowChecker, fingerprint: str) -> None:
        """The same matter twice is a copy-paste slip or a second import of an edited ledger."""
        whole = str(ROW_COLUMN)
        if fingerprint in self.seen:
            c.fail(
                whole,
                _(
                    "与第%(n)d行内容完全相同（类型、标题、内容、发生地、诉求人、电话、企业、受理时间），"
                    "可能重复录入"
                )
                % {"n": self.seen[fingerprint]},
            )
        else:
            self.seen[fingerprint] = c.row.number
        if fingerprint in self.imported:
            c.fail(
                whole,
                _("与此前从台账导入的事项 %(number)s 内容完全相同，可能重复导入")
                % {"number": self.imported[fingerprint]},
            )

    def write(self, plans: list[CasePlan], result: ImportResult, *, save: bool) -> None:
        for plan in plans:
            if plan.exists:
                result.unchanged += 1
                continue
            if save:
                self._report(plan, result)
            else:
                result.created += 1

    def _report(self, plan: CasePlan, result: ImportResult) -> None:
        try:
            # When skipping, a savepoint per row keeps a refused row from spoiling the others;
            # otherwise any refusal rolls the whole import back, and savepoints would only cost.
            with transaction.atomic(savepoint=self.skip_bad_rows):
                services.report_case(
                    actor=self.actor, source_key=plan.source_key, via=Via.IMPORT, **plan.fields
                )
        except (ValidationError, services.CaseError, DatabaseError) as exc:
            message = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            if not self.skip_bad_rows:
                raise RowWriteError(plan.row, message) from exc
            result.errors.append(RowError(plan.row.number, str(ROW_COLUMN), message))
            result.bad_rows.append(plan.row)
            return
        result.created += 1

    def summary(self, result: ImportResult) -> str:
        return _("新增 %(created)d，此前已导入（跳过）%(unchanged)d") % {
            "created": result.created,
            "unchanged": result.unchanged,
        }

    @classmethod
    def reference_sheets(cls) -> list[tuple[str, list[str], list[list[Any]]]]:
        rows = [
            [c.case_type.name, c.case_type.code, c.name, c.code]
            for c in Category.objects.filter(is_active=True)
            .select_related("case_type")
            .order_by("case_type__ordering", "case_type__code", "code")
        ]
        headers = [str(_("事项类型")), str(_("类型代码")), str(_("分类")), str(_("分类代码"))]
        return [(str(_("事项类型与分类")), headers, rows), region_sheet()]


# --- Shared -----------------------------------------------------------------------------------

# A template lists the regions one may name; past this many the sheet says where to look instead.
REGION_SHEET_LIMIT = 20_000


def region_sheet() -> tuple[str, list[str], list[list[Any]]]:
    """The region codes and names a ledger may use, in tree order."""
    levels = dict(RegionLevel.choices)
    rows: list[list[Any]] = [
        [code, "　" * (path.count(".") - 1) + name, str(levels.get(level, level))]
        for code, name, level, path in Region.objects.order_by("path").values_list(
            "code", "name", "level", "path"
        )[:REGION_SHEET_LIMIT]
    ]
    return str(_("区域代码")), [str(_("区划代码")), str(_("名称")), str(_("层级"))], rows


IMPORTERS: dict[str, type[Importer]] = {
    EnterpriseImporter.kind: EnterpriseImporter,
    PersonImporter.kind: PersonImporter,
    CaseImporter.kind: CaseImporter,
}
