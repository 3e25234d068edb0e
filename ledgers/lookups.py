"""Batch look-ups of the registry rows a ledger refers to, a constant number of queries per file.

A ledger names a region by its code or its name and an organisation by its name or credit
code; names can repeat (every village has a "第一网格"), and an ambiguous name is an error
that asks for the code rather than a guess.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import TypeVar

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from ledgers.fields import FieldError
from orgs.models import Organisation
from regions.models import Region

T = TypeVar("T")
Key = TypeVar("Key", str, int)
# Stays well under every database's limit on bound parameters per query.
CHUNK = 500


def chunks(values: Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    batch: list[T] = []
    for value in values:
        batch.append(value)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def fetch_in(queryset: QuerySet, field: str, values: Iterable[Key]) -> list:
    """``queryset.filter(field__in=values)`` in chunks, for files with thousands of rows."""
    found: list = []
    for batch in chunks(sorted({v for v in values if v})):
        found.extend(queryset.filter(**{f"{field}__in": batch}))
    return found


def _ambiguous(value: str, codes: list[str]) -> FieldError:
    shown = "、".join(codes[:3]) + ("…" if len(codes) > 3 else "")
    return FieldError(
        _("“%(v)s”对应多个（%(codes)s），请改填唯一的代码") % {"v": value, "codes": shown}
    )


class RegionLookup:
    """Regions named in a ledger, by 区划代码 or by name."""

    def __init__(self, values: Iterable[str]) -> None:
        wanted = sorted({v for v in values if v})
        found: dict[int, Region] = {}
        for batch in chunks(wanted):
            found.update(
                (r.pk, r) for r in Region.objects.filter(Q(code__in=batch) | Q(name__in=batch))
            )
        self.by_code: dict[str, Region] = {}
        self.by_name: dict[str, list[Region]] = defaultdict(list)
        for region in sorted(found.values(), key=lambda r: r.path):
            self.by_code[region.code] = region
            self.by_name[region.name].append(region)

    def resolve(self, value: str) -> Region:
        if value in self.by_code:
            return self.by_code[value]
        matches = self.by_name.get(value, [])
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise _ambiguous(value, [r.code for r in matches])
        raise FieldError(_("系统中没有区划代码或名称为“%(v)s”的区域") % {"v": value})


class OrganisationLookup:
    """Organisations named in a ledger, by credit code, full name or short name."""

    def __init__(self, values: Iterable[str], *, kinds: Iterable[str] | None = None) -> None:
        wanted = sorted({v for v in values if v})
        base = Organisation.objects.all()
        if kinds is not None:
            base = base.filter(kind__in=list(kinds))
        found: dict[int, Organisation] = {}
        for batch in chunks(wanted):
            query = (
                Q(name__in=batch)
                | Q(short_name__in=batch)
                | Q(credit_code__in=[b.upper() for b in batch])
            )
            found.update((org.pk, org) for org in base.filter(query))
        self.by_key: dict[str, list[Organisation]] = defaultdict(list)
        for org in sorted(found.values(), key=lambda o: o.pk):
            for key in {org.name, org.short_name, org.credit_code or ""} - {""}:
                self.by_key[key].append(org)

    def resolve(self, value: str, *, missing: str) -> Organisation:
        matches = self.by_key.get(value) or self.by_key.get(value.upper(), [])
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise _ambiguous(value, [m.credit_code or str(m.pk) for m in matches])
        raise FieldError(missing % {"v": value})


def enterprises_by_code(codes: Iterable[str]) -> dict[str, Organisation]:
    """Every organisation holding one of ``codes`` (any kind: codes are unique across kinds)."""
    return {
        org.credit_code: org for org in fetch_in(Organisation.objects.all(), "credit_code", codes)
    }
