"""The demo's sign-in table: which account to use for which role, with its scope."""

import unicodedata
from collections.abc import Sequence

from django.db.models import Count, Min, Prefetch
from django.utils.translation import gettext as _

from demo.places import DEPARTMENTS, LIAISONS
from people.models import EnterpriseLink, EnterpriseLinkKind, Role, RoleAssignment, User

FEATURED = [
    "admin",
    "leader",
    "huju_leader",
    "dispatcher",
    "operator",
    "huju_window",
    "chain_dispatcher",
    "huju_dispatcher",
    "shangbu_dispatcher",
    *[f"{key}_head" for key, *_rest, has_head in DEPARTMENTS if has_head],
    *[f"{key}_handler" for key, *_rest in DEPARTMENTS],
    "zhuanban",
    "xiehui",
    "huju_gov",
    "shangbu_gov",
    "xunzhong_gov",
    "huju_huangshi",
    "shangbu_pingci",
    "shangbu_gz01",
    "shangbu_wg001",
    "xunzhong_xunzhong_wg",
    "guagou",
    "zhuchang",
    "dangjian",
    *[username for _name, username in LIAISONS[:3]],
    "resident",
    "resident_sb",
    "resident_dh",
]


CADRE_LINKS = (
    EnterpriseLinkKind.LINKED_CADRE,
    EnterpriseLinkKind.RESIDENT_COMMISSIONER,
    EnterpriseLinkKind.PARTY_INSTRUCTOR,
)


def _scope(assignment: RoleAssignment, links: list[EnterpriseLink]) -> str:
    if assignment.role == Role.RESIDENT:
        return _("本人反映的事项")
    if assignment.role == Role.LINKED_CADRE:
        return _("挂钩企业 %(n)d 家") % {"n": len(links)}
    if assignment.region is not None:
        return assignment.region.name
    if assignment.organisation is not None:
        return assignment.organisation.name
    return _("全部")


def login_rows() -> list[tuple[str, str, str]]:
    """(username, roles in Chinese, scope) for the featured demo accounts, in a fixed order."""
    roles = RoleAssignment.objects.select_related("region", "organisation").order_by("id")
    users = {
        u.username: u
        for u in User.objects.filter(username__in=FEATURED).prefetch_related(
            Prefetch("roles", queryset=roles)
        )
    }
    links_by_person: dict[int | None, list[EnterpriseLink]] = {}
    cadres = [u.person_id for u in users.values() if u.person_id]
    for link in EnterpriseLink.objects.filter(person_id__in=cadres, kind__in=CADRE_LINKS):
        links_by_person.setdefault(link.person_id, []).append(link)
    rows = []
    for username in FEATURED:
        user = users.get(username)
        if user is None:
            continue
        assignments = list(user.roles.all())
        links = links_by_person.get(user.person_id, [])
        kinds = sorted({str(link.get_kind_display()) for link in links})
        rows.append(
            (
                username,
                "、".join(
                    str(a.get_role_display())
                    + (f"（{'、'.join(kinds)}）" if a.role == Role.LINKED_CADRE else "")
                    for a in assignments
                ),
                "；".join(_scope(a, links) for a in assignments),
            )
        )
    return rows


def other_accounts() -> list[tuple[str, int, str]]:
    """(role, number of further accounts, first username) for the accounts not in the table."""
    rows = (
        RoleAssignment.objects.exclude(user__username__in=FEATURED)
        .values("role")
        .annotate(n=Count("user", distinct=True), first=Min("user__username"))
        .order_by("role")
    )
    return [(str(Role(r["role"]).label), r["n"], r["first"]) for r in rows]


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def format_table(rows: Sequence[tuple[str, ...]], header: tuple[str, ...]) -> str:
    widths = [max(_width(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(pad(str(c), w) for c, w in zip(header, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += [
        "  ".join(pad(str(c), w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows
    ]
    return "\n".join(lines)
