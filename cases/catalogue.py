"""The dispatch catalogue (派单目录): for each category the lead unit, its co-units and the
urgency tier, kept as numbered versions the office edits and publishes.

One version is published (in force) at a time. The office copies it into a draft (one draft at
a time), edits the draft's lines and publishes it; publishing retires the version before, in the
same transaction. Published and retired versions are read-only, so the version each assignment
records (``CaseAssignment.catalogue``, set by ``services._hand_over`` from ``current_id()``) still
says what the office's rule was when the unit was named.

Who did what is held by the versions themselves: ``created_by``/``created_at`` (the draft),
``published_by``/``published_at`` (in force); a version was retired when the next one was
published (``history()``). Drafts are not in force, so their edits before publication are not
logged line by line: the publisher answers for what they publish.

Who may: every dispatcher and administrator reads; administrators and dispatchers over a county
(a region of the top level) edit and publish (``may_read``, ``may_edit``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import (
    CatalogueStatus,
    Category,
    DispatchCatalogue,
    DispatchEntry,
    Priority,
    TimeLimit,
)
from config.prepared import PreparedRead
from orgs.models import HANDLING_KINDS, Organisation
from people.models import Role, User
from regions.models import RegionLevel

MAX_NOTE = 200
DRAFT, PUBLISHED, RETIRED = (
    CatalogueStatus.DRAFT,
    CatalogueStatus.PUBLISHED,
    CatalogueStatus.RETIRED,
)


# --- Who may ---------------------------------------------------------------------------------


def may_read(user: User) -> bool:
    """Dispatchers (of any place) and administrators read the catalogue and its versions."""
    return user.is_authenticated and (user.is_admin or user.has_role(Role.DISPATCHER))


def may_edit(user: User) -> bool:
    """Administrators and the county's dispatchers (a dispatcher role over a county-level
    region) draft and publish versions. No query: the roles come with their regions."""
    if not user.is_authenticated:
        return False
    if user.is_admin:
        return True
    return any(
        a.role == Role.DISPATCHER and a.region is not None and a.region.level == RegionLevel.COUNTY
        for a in user.role_assignments
    )


def _require_editor(actor: User | None) -> None:
    # None is the system (the demo's loader, a management command).
    if actor is not None and not may_edit(actor):
        raise PermissionDenied(_("只有管理员和县级研判交办员可以修订和发布派单目录。"))


# --- Reading ---------------------------------------------------------------------------------


def current() -> DispatchCatalogue | None:
    """The published version, in force now (one query)."""
    return DispatchCatalogue.objects.filter(status=PUBLISHED).first()


_PUBLISHED = PreparedRead(
    lambda: DispatchCatalogue.objects.filter(status=PUBLISHED).order_by("-version")[:1]
)


def current_id() -> int | None:
    """The id of the published version, for the assignment that records it (one query, its SQL
    built once: every 交办 asks)."""
    found = _PUBLISHED()
    return found[0].pk if found else None


def draft() -> DispatchCatalogue | None:
    """The draft being revised, if any (there is at most one)."""
    return DispatchCatalogue.objects.filter(status=DRAFT).first()


def _with_units(entries: QuerySet[DispatchEntry]) -> QuerySet[DispatchEntry]:
    return entries.select_related("catalogue", "lead_unit").prefetch_related(
        Prefetch("co_units", queryset=Organisation.objects.order_by("name"))
    )


def entry_for(category: Category | int) -> DispatchEntry | None:
    """The published version's line for ``category`` with its lead unit, co-units (prefetched)
    and version, or None when the category is not in it (two queries, one when absent)."""
    category_id = category if isinstance(category, int) else category.pk
    return _with_units(
        DispatchEntry.objects.filter(catalogue__status=PUBLISHED, category_id=category_id)
    ).first()


def current_entries(*, case_type_id: int | None = None) -> dict[int, DispatchEntry]:
    """The published version's lines by category id (of one case type's categories when
    given), each with its lead unit, co-units and version: two queries (one when none)."""
    entries = DispatchEntry.objects.filter(catalogue__status=PUBLISHED)
    if case_type_id is not None:
        entries = entries.filter(category__case_type_id=case_type_id)
    return {entry.category_id: entry for entry in _with_units(entries)}


def current_leads() -> dict[int, int]:
    """The published version's lead unit id by category id (one query): the desk's choice."""
    return dict(
        DispatchEntry.objects.filter(catalogue__status=PUBLISHED).values_list(
            "category_id", "lead_unit_id"
        )
    )


def entries_of(catalogue: DispatchCatalogue) -> list[DispatchEntry]:
    """A version's lines in the order of the case types and category codes, with their units."""
    return list(
        _with_units(DispatchEntry.objects.filter(catalogue=catalogue))
        .select_related("category__case_type")
        .order_by("category__case_type__ordering", "category__case_type__code", "category__code")
    )


def time_limits() -> dict[tuple[int, str], TimeLimit]:
    """Every tier's clocks by (case type id, priority): sign, first contact, finish (one query)."""
    return {(t.case_type_id, t.priority): t for t in TimeLimit.objects.all()}


def previous(catalogue: DispatchCatalogue) -> DispatchCatalogue | None:
    """The version before ``catalogue`` (the one it revised), if any."""
    return (
        DispatchCatalogue.objects.filter(version__lt=catalogue.version).order_by("-version").first()
    )


@dataclass(frozen=True)
class HistoryRow:
    """One thing that happened to a version: drafted, published, or retired by a successor."""

    at: datetime
    action: Literal["drafted", "published", "retired"]
    catalogue: DispatchCatalogue
    actor: User | None

    @property
    def label(self) -> str:
        return str(ACTIONS[self.action])


ACTIONS = {
    "drafted": _("创建修订草稿"),
    "published": _("发布"),
    "retired": _("停用（由新版本替代）"),
}


def history(versions: Sequence[DispatchCatalogue] | None = None) -> list[HistoryRow]:
    """What happened to every version (of ``versions``, every one when not given: one query),
    newest first, from the versions' own who/when: a version is retired at the moment the
    next one is published, by its publisher."""
    if versions is None:
        versions = list(
            DispatchCatalogue.objects.select_related("created_by__person", "published_by__person")
        )
    versions = sorted(versions, key=lambda v: v.version)
    rows: list[HistoryRow] = []
    published = [v for v in versions if v.published_at is not None]
    for catalogue in versions:
        rows.append(HistoryRow(catalogue.created_at, "drafted", catalogue, catalogue.created_by))
        if catalogue.published_at is not None:
            rows.append(
                HistoryRow(catalogue.published_at, "published", catalogue, catalogue.published_by)
            )
        if catalogue.status == RETIRED:
            successor = next((v for v in published if v.version > catalogue.version), None)
            if successor is not None and successor.published_at is not None:
                rows.append(
                    HistoryRow(successor.published_at, "retired", catalogue, successor.published_by)
                )
    order = {"drafted": 0, "retired": 1, "published": 2}
    rows.sort(key=lambda r: (r.at, r.catalogue.version, order[r.action]), reverse=True)
    return rows


# --- Comparing two versions ------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One line of a diff: a category added, removed, or with another lead unit, co-units or
    tier (``fields`` names which)."""

    kind: Literal["added", "removed", "changed"]
    category: Category
    before: DispatchEntry | None
    after: DispatchEntry | None
    fields: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return str(CHANGE_LABELS[self.kind])

    @property
    def field_labels(self) -> list[str]:
        return [str(FIELD_LABELS[name]) for name in self.fields]


CHANGE_LABELS = {"added": _("新增"), "removed": _("删除"), "changed": _("修改")}
FIELD_LABELS = {"lead_unit": _("主办单位"), "co_units": _("协办单位"), "priority": _("紧急程度")}


def _co_ids(entry: DispatchEntry) -> list[int]:
    return sorted(u.pk for u in entry.co_units.all())


def diff(
    old: DispatchCatalogue | None,
    new: DispatchCatalogue,
    *,
    new_entries: Sequence[DispatchEntry] | None = None,
) -> list[Change]:
    """What ``new`` changes from ``old`` (everything is added when there is no ``old``), in the
    order of the categories; ``new_entries`` are ``new``'s lines when already read."""
    before = {e.category_id: e for e in entries_of(old)} if old is not None else {}
    after = {e.category_id: e for e in (new_entries or entries_of(new))}
    changes: list[Change] = []
    for category_id, entry in after.items():
        was = before.get(category_id)
        if was is None:
            changes.append(Change("added", entry.category, None, entry))
            continue
        fields = tuple(
            name
            for name, differs in (
                ("lead_unit", was.lead_unit_id != entry.lead_unit_id),
                ("co_units", _co_ids(was) != _co_ids(entry)),
                ("priority", was.priority != entry.priority),
            )
            if differs
        )
        if fields:
            changes.append(Change("changed", entry.category, was, entry, fields))
    for category_id, was in before.items():
        if category_id not in after:
            changes.append(Change("removed", was.category, was, None))

    def position(change: Change) -> tuple[int, str, str]:
        case_type = change.category.case_type
        return (case_type.ordering, case_type.code, change.category.code)

    return sorted(changes, key=position)


# --- Revising ---------------------------------------------------------------------------------


@dataclass
class EntryRow:
    """A draft's line as the office sets it; no ``lead_unit`` takes the category out."""

    category: Category
    lead_unit: Organisation | None
    co_units: Sequence[Organisation] = field(default_factory=list)
    priority: str = Priority.NORMAL


def row_key(category_id: int) -> str:
    """The key of a line's errors in a ``ValidationError`` of ``save_entries``."""
    return f"category_{category_id}"


def _handling(unit: Organisation) -> bool:
    return unit.kind in HANDLING_KINDS and unit.is_active


def _row_errors(row: EntryRow) -> list[ValidationError]:
    name = row.category.name
    if row.lead_unit is None:
        if row.co_units:
            return [
                ValidationError(
                    _("「%(category)s」未指定主办单位，不能只填写协办单位。"),
                    code="co_units_without_lead",
                    params={"category": name},
                )
            ]
        return []
    errors = []
    if not row.category.is_active:
        errors.append(
            ValidationError(
                _("分类「%(category)s」已停用，不能列入派单目录。"),
                code="inactive_category",
                params={"category": name},
            )
        )
    if not _handling(row.lead_unit):
        errors.append(
            ValidationError(
                _("「%(category)s」的主办单位「%(unit)s」不是在用的承办单位。"),
                code="not_handling_unit",
                params={"category": name, "unit": row.lead_unit.name},
            )
        )
    for unit in row.co_units:
        if unit.pk == row.lead_unit.pk:
            errors.append(
                ValidationError(
                    _("「%(category)s」的主办单位不能同时是协办单位。"),
                    code="lead_is_co_unit",
                    params={"category": name},
                )
            )
        elif not _handling(unit):
            errors.append(
                ValidationError(
                    _("「%(category)s」的协办单位「%(unit)s」不是在用的承办单位。"),
                    code="not_handling_unit",
                    params={"category": name, "unit": unit.name},
                )
            )
    if row.priority not in Priority.values:
        errors.append(
            ValidationError(
                _("「%(category)s」的紧急程度无效。"),
                code="invalid_priority",
                params={"category": name},
            )
        )
    return errors


def _locked_draft(catalogue: DispatchCatalogue) -> DispatchCatalogue:
    """The draft, locked; a published or retired (or discarded) version is refused."""
    locked = DispatchCatalogue.objects.select_for_update().filter(pk=catalogue.pk).first()
    if locked is None:
        raise ValidationError(_("该草稿已被放弃，请重新新建修订草稿。"), code="gone")
    if locked.status != DRAFT:
        raise ValidationError(
            _("派单目录 v%(version)d 已%(status)s，只读，不能修改。"),
            code="read_only",
            params={"version": locked.version, "status": locked.get_status_display()},
        )
    return locked


def _copy(source: DispatchCatalogue, target: DispatchCatalogue) -> None:
    entries = list(source.entries.prefetch_related("co_units").order_by("pk"))
    _insert(
        target,
        [EntryRow(e.category, e.lead_unit, list(e.co_units.all()), e.priority) for e in entries],
    )


def _seed(target: DispatchCatalogue) -> None:
    """The first version: each active category's suggested unit, at its type's usual tier."""
    categories = Category.objects.filter(
        is_active=True,
        suggested_unit__is_active=True,
        suggested_unit__kind__in=HANDLING_KINDS,
    ).select_related("case_type", "suggested_unit")
    _insert(
        target,
        [
            EntryRow(c, c.suggested_unit, [], c.case_type.default_priority)
            for c in categories.order_by("pk")
        ],
    )


def _insert(target: DispatchCatalogue, rows: Sequence[EntryRow]) -> None:
    """The lines of ``rows`` with a lead unit, in three queries whatever their number."""
    kept = [row for row in rows if row.lead_unit is not None]
    made = DispatchEntry.objects.bulk_create(
        [
            DispatchEntry(
                catalogue=target, category=r.category, lead_unit=r.lead_unit, priority=r.priority
            )
            for r in kept
        ]
    )
    through = DispatchEntry.co_units.through
    through.objects.bulk_create(
        [
            through(dispatchentry_id=entry.pk, organisation_id=unit.pk)
            for entry, row in zip(made, kept, strict=True)
            for unit in row.co_units
        ]
    )


def new_draft(*, actor: User | None, note: str = "") -> DispatchCatalogue:
    """新建修订草稿: the next version number, a copy of every line of the published version
    (or, before any, each category's suggested unit). One draft at a time."""
    _require_editor(actor)
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise ValidationError(
            {
                "note": ValidationError(
                    _("修订说明不能超过 %(n)d 个字。"), code="max_length", params={"n": MAX_NOTE}
                )
            }
        )
    with transaction.atomic():
        existing = draft()
        if existing is not None:
            raise _draft_exists(existing.version)
        base = DispatchCatalogue.objects.filter(status=PUBLISHED).select_for_update().first()
        top = DispatchCatalogue.objects.aggregate(top=Max("version"))["top"] or 0
        try:
            # Two offices drafting at once both take the next number: the unique version
            # refuses the second.
            with transaction.atomic():
                made = DispatchCatalogue.objects.create(
                    version=top + 1,
                    status=DRAFT,
                    note=note,
                    created_by=actor,
                    created_at=timezone.now(),
                )
        except IntegrityError:
            raise _draft_exists(top + 1) from None
        if base is not None:
            _copy(base, made)
        else:
            _seed(made)
    return made


def _draft_exists(version: int) -> ValidationError:
    return ValidationError(
        _("已有修订草稿 v%(version)d，请先编辑并发布或放弃该草稿，再新建。"),
        code="draft_exists",
        params={"version": version},
    )


def save_entries(
    catalogue: DispatchCatalogue, rows: Sequence[EntryRow], *, actor: User | None
) -> DispatchCatalogue:
    """Set the lines of a draft: each row replaces its category's line (a row without a lead
    unit removes it); categories not in ``rows`` keep theirs. Published and retired versions
    are read-only. All rows or none: the errors are keyed by ``row_key(category id)``."""
    _require_editor(actor)
    errors: dict[str, list[ValidationError]] = {}
    seen: set[int] = set()
    for row in rows:
        key = row_key(row.category.pk)
        if row.category.pk in seen:
            errors.setdefault(key, []).append(
                ValidationError(
                    _("分类「%(category)s」重复。"),
                    code="duplicate_category",
                    params={"category": row.category.name},
                )
            )
            continue
        seen.add(row.category.pk)
        problems = _row_errors(row)
        if problems:
            errors.setdefault(key, []).extend(problems)
    with transaction.atomic():
        locked = _locked_draft(catalogue)
        if errors:
            raise ValidationError(errors)
        DispatchEntry.objects.filter(catalogue=locked, category_id__in=seen).delete()
        _insert(locked, rows)
    return locked


def _publish_errors(catalogue: DispatchCatalogue) -> list[ValidationError]:
    entries = list(
        catalogue.entries.select_related("category", "lead_unit").prefetch_related("co_units")
    )
    if not entries:
        return [
            ValidationError(
                _("草稿 v%(version)d 没有任何条目，不能发布。"),
                code="empty",
                params={"version": catalogue.version},
            )
        ]
    errors: list[ValidationError] = []
    for entry in entries:
        row = EntryRow(entry.category, entry.lead_unit, list(entry.co_units.all()), entry.priority)
        errors.extend(_row_errors(row))
    return errors


def publish(catalogue: DispatchCatalogue, *, actor: User | None) -> DispatchCatalogue:
    """发布: the draft comes into force and the published version is retired, in one
    transaction. The draft is locked first, so a second publisher finds it published."""
    _require_editor(actor)
    with transaction.atomic():
        locked = _locked_draft(catalogue)
        errors = _publish_errors(locked)
        if errors:
            raise ValidationError(errors)
        # Retire first: one published version at a time (the constraint holds at each row).
        DispatchCatalogue.objects.filter(status=PUBLISHED).update(status=RETIRED)
        locked.status = PUBLISHED
        locked.published_at = timezone.now()
        locked.published_by = actor
        locked.save(update_fields=["status", "published_at", "published_by"])
    return locked


def discard(catalogue: DispatchCatalogue, *, actor: User | None) -> None:
    """放弃草稿: a draft was never in force, so it is deleted with its lines."""
    _require_editor(actor)
    with transaction.atomic():
        _locked_draft(catalogue).delete()
