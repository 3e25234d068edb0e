"""Retention (脱敏): the requesters of cases closed more than N years ago are anonymised.

A case's requester name, phone and address, its dispute parties' names, ID numbers, phones and
addresses, and the contact an Open311 client sent with it are replaced by masked placeholders
(the product's own masking rule: 张*, ***********, the first few characters of an address).
The linked ``Person`` is anonymised too when nothing newer needs them: no case of theirs is
still open or closed within the period, and no other record names them (a sign-in account, a
household, an enterprise, a duty, a visit): those keep their file.

Nothing a rate reads changes (status, times, units, visit results), so every rate stays as it
was. Each anonymised case gets one ``ops.Anonymisation`` row (what was replaced, never the
values); the cases go in batches, one transaction per batch, each batch's rows locked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.fields.reverse_related import ForeignObjectRel
from django.utils import timezone

from cases.models import FINAL_STATUSES, Case
from disputes.models import DisputeParty
from ops.models import Anonymisation
from people.masking import mask_address, mask_name
from people.models import Person

DEFAULT_YEARS = 5
BATCH_SIZE = 200
# What an Open311 client may have sent about the requester (open311/intake.py).
OPEN311_CONTACT = ("email", "device_id", "account_id")


@dataclass
class Outcome:
    """How many cases, persons and dispute parties were (or, in a dry run, would be) anonymised."""

    cases: int = 0
    persons: int = 0
    parties: int = 0
    batches: int = 0
    dry_run: bool = False
    closed_before: datetime | None = field(default=None)


def retention_years() -> int:
    return int(settings.LIANXIN.get("RETENTION_YEARS", DEFAULT_YEARS))


def years_before(moment: datetime, years: int) -> datetime:
    """The same local date and time ``years`` earlier (29 February becomes 28 February)."""
    local = timezone.localtime(moment)
    try:
        return local.replace(year=local.year - years)
    except ValueError:
        return local.replace(year=local.year - years, day=28)


def stars(value: str) -> str:
    """A number masked whole (phone, ID number): its length stays, its digits do not."""
    return "*" * len((value or "").strip())


def _due(closed_before: datetime) -> models.QuerySet[Case]:
    """Final cases closed before the cutoff and not yet anonymised."""
    return Case.objects.filter(status__in=FINAL_STATUSES, closed_at__lt=closed_before).exclude(
        Exists(Anonymisation.objects.filter(case=OuterRef("pk")))
    )


def _named_elsewhere() -> Q:
    """A person some other record still names: every reverse relation of ``Person`` (accounts,
    households, enterprises, duties, visits, …) except a case's requester, which the newer-case
    rule decides, and this log's own."""
    condition = Q()
    for relation in Person._meta.get_fields(include_hidden=True):
        if not isinstance(relation, ForeignObjectRel):
            continue
        model = relation.related_model
        if not isinstance(model, type) or model in (Case, Anonymisation):
            continue
        if model._meta.auto_created:  # the table behind a many-to-many: its field counts
            continue
        named = model._default_manager.filter(**{relation.field.name: OuterRef("pk")})
        condition |= Q(Exists(named))
    return condition


def _free_persons(person_ids: set[int], closed_before: datetime) -> models.QuerySet[Person]:
    """The persons among ``person_ids`` with no newer or open case and named nowhere else."""
    newer = Case.objects.filter(requester=OuterRef("pk")).exclude(
        status__in=FINAL_STATUSES, closed_at__lt=closed_before
    )
    return (
        Person.objects.filter(pk__in=person_ids)
        .exclude(Exists(newer))
        .exclude(_named_elsewhere())
        .exclude(Exists(Anonymisation.objects.filter(person=OuterRef("pk"))))
    )


def _anonymise_case(case: Case) -> list[str]:
    changed: list[str] = []
    masked = {
        "requester_name": mask_name(case.requester_name),
        "requester_phone": stars(case.requester_phone),
        "address": mask_address(case.address),
    }
    for name, value in masked.items():
        if getattr(case, name) != value:
            setattr(case, name, value)
            changed.append(name)
    open311 = case.details.get("open311") if isinstance(case.details, dict) else None
    if isinstance(open311, dict) and any(key in open311 for key in OPEN311_CONTACT):
        case.details = {
            **case.details,
            "open311": {k: v for k, v in open311.items() if k not in OPEN311_CONTACT},
        }
        changed.append("details")
    return changed


def _anonymise_person(person: Person) -> None:
    person.name = mask_name(person.name)
    person.phone = stars(person.phone)
    person.id_number = stars(person.id_number)
    person.address = mask_address(person.address)


def _anonymise_party(party: DisputeParty) -> None:
    party.name = mask_name(party.name)
    party.phone = stars(party.phone)
    party.id_number = stars(party.id_number)
    party.address = mask_address(party.address)


def _batch(ids: list[int], closed_before: datetime, years: int, now: datetime) -> Outcome:
    """One transaction: lock the batch's cases (those still due), anonymise them, their
    dispute parties and their free persons, and write one record per case."""
    outcome = Outcome(batches=1)
    with transaction.atomic():
        cases = list(_due(closed_before).filter(pk__in=ids).select_for_update().order_by("pk"))
        if not cases:
            return Outcome()
        persons = {
            person.pk: person
            for person in _free_persons(
                {case.requester_id for case in cases if case.requester_id}, closed_before
            ).select_for_update()
        }
        parties = list(DisputeParty.objects.filter(case__in=cases).select_for_update())
        party_counts: dict[int, int] = {}
        for party in parties:
            _anonymise_party(party)
            party_counts[party.case_id] = party_counts.get(party.case_id, 0) + 1
        for free in persons.values():
            _anonymise_person(free)
        records = []
        person_done: set[int] = set()
        for case in cases:
            fields = _anonymise_case(case)
            case.updated_at = now
            case.version += 1
            # The person is recorded on the batch's first case of theirs.
            person = persons.get(case.requester_id or 0)
            if person is not None and person.pk in person_done:
                person = None
            elif person is not None:
                person_done.add(person.pk)
            records.append(
                Anonymisation(
                    case=case,
                    person=person,
                    fields=fields,
                    parties=party_counts.get(case.pk, 0),
                    retention_years=years,
                    closed_before=closed_before,
                    created_at=now,
                )
            )
        Case.objects.bulk_update(
            cases,
            ["requester_name", "requester_phone", "address", "details", "updated_at", "version"],
        )
        Person.objects.bulk_update(
            list(persons.values()), ["name", "phone", "id_number", "address"]
        )
        DisputeParty.objects.bulk_update(parties, ["name", "phone", "id_number", "address"])
        Anonymisation.objects.bulk_create(records)
    outcome.cases, outcome.persons, outcome.parties = len(cases), len(persons), len(parties)
    return outcome


def anonymise_closed(
    *,
    years: int | None = None,
    now: datetime | None = None,
    dry_run: bool = False,
    batch_size: int = BATCH_SIZE,
) -> Outcome:
    """Anonymise every case closed more than ``years`` (RETENTION_YEARS) years before ``now``.
    A dry run counts what would change and changes nothing. Running it again finds nothing new."""
    years = retention_years() if years is None else years
    if years < 1:
        raise ValueError("years must be at least 1")
    now = now or timezone.now()
    closed_before = years_before(now, years)
    due = _due(closed_before)
    if dry_run:
        person_ids = set(
            due.exclude(requester=None).values_list("requester_id", flat=True).distinct()
        )
        return Outcome(
            cases=due.count(),
            persons=_free_persons(person_ids, closed_before).count(),
            parties=DisputeParty.objects.filter(case__in=due).count(),
            dry_run=True,
            closed_before=closed_before,
        )
    total = Outcome(closed_before=closed_before)
    ids = list(due.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch_size):
        done = _batch(ids[start : start + batch_size], closed_before, years, now)
        total.cases += done.cases
        total.persons += done.persons
        total.parties += done.parties
        total.batches += done.batches
    return total
