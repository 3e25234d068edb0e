"""What a reader sees of a dispute: its parties with contacts masked unless the reader may
contact them, and its agreements."""

from __future__ import annotations

from dataclasses import dataclass

from cases.models import Case
from disputes.models import DisputeParty, MediationAgreement
from disputes.scope import sees_contacts
from people.models import User


@dataclass(frozen=True)
class PartyView:
    """A party as ``user`` may read it."""

    pk: int
    role: str
    role_label: str
    name: str
    id_number: str
    phone: str
    address: str
    organisation: str
    organisation_id: int | None
    note: str


def parties_for(user: User, case: Case) -> list[PartyView]:
    """The parties in their order, contacts masked for a reader who does not contact them."""
    unmasked = sees_contacts(user, case)
    rows = DisputeParty.objects.filter(case=case).select_related("organisation")
    return [
        PartyView(
            pk=p.pk,
            role=p.role,
            role_label=str(p.get_role_display()),
            name=p.name,
            id_number=p.id_number if unmasked else p.masked_id_number,
            phone=p.phone if unmasked else p.masked_phone,
            address=p.address if unmasked else p.masked_address,
            organisation=str(p.organisation) if p.organisation else "",
            organisation_id=p.organisation_id,
            note=p.note,
        )
        for p in rows
    ]


def agreements_for(case: Case) -> list[MediationAgreement]:
    return list(
        MediationAgreement.objects.filter(case=case)
        .select_related("uploaded_by")
        .order_by("-signed_on", "-pk")
    )
