"""Who may read and write the registries through the API.

Cases are not here: who sees a case is ``cases.scope.visible_cases`` and who moves it is the
engine's ``RULES``, the same rules as the pages. The registries have no engine, so their
rule is this one: every signed-in user reads the places and organisations (a resident picks
where a case happened); people, households and the links between them are read inside the
caller's region subtrees (``people.scope``, the same rule as the registry pages), enterprise
links and household tags by the staff roles; personal data is masked unless the caller is an
administrator; only administrators write.
"""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission

from people.models import Role
from people.scope import may_read_people

# Roles that see only their own submissions: no business in the people and household registries.
NON_STAFF_ROLES = frozenset({Role.RESIDENT, Role.ENTERPRISE_LIAISON})


def is_staff_reader(user: Any) -> bool:
    """An administrator, or a user holding a role other than resident or enterprise liaison."""
    return user.is_admin or any(a.role not in NON_STAFF_ROLES for a in user.role_assignments)


class ReadSignedInWriteAdmin(BasePermission):
    """Places and organisations: read by anyone signed in, written by administrators."""

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        return request.method in SAFE_METHODS or user.is_admin


class ReadStaffWriteAdmin(BasePermission):
    """People, households and links: read by the staff roles, written by administrators."""

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if request.method in SAFE_METHODS:
            return is_staff_reader(user)
        return user.is_admin


class ReadPeopleWriteAdmin(BasePermission):
    """People, households and household links: read by those with a region-scoped role over
    some region (``people.scope``; each row is then checked by the view's queryset), written
    by administrators."""

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if request.method in SAFE_METHODS:
            return may_read_people(user)
        return user.is_admin
