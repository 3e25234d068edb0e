"""Who may do what with personal data beyond the masking rule of ``cases.scope``.

- A case's privacy flags (公开, 对承办单位保密) after intake: administrators and the desk
  (dispatchers and operators) over the case's place or its dispatching committee, or the desk
  that registered it.
- The access log (查阅记录): administrators.
- The person export (个人信息导出): administrators, and dispatchers granted the Django
  permission ``privacy.export_person`` (a dispatcher exports only the cases in their scope).
"""

from __future__ import annotations

from cases.models import Case
from cases.scope import covers_region
from people.models import DISPATCHERS, INTAKE, User

EXPORT_PERMISSION = "privacy.export_person"


def may_set_flags(user: User, case: Case) -> bool:
    """``case.region`` loaded; no query once the roles are. The desk that registered a case
    sets its flags at intake even where it covers no region (a committee's dispatcher)."""
    if not user.is_authenticated:
        return False
    if user.is_admin or covers_region(user, case, INTAKE):
        return True
    return case.reported_by_id == user.pk and any(a.role in INTAKE for a in user.role_assignments)


def may_read_access_log(user: User) -> bool:
    return user.is_authenticated and user.is_admin


def may_export_person(user: User) -> bool:
    """Administrators; dispatchers holding ``privacy.export_person`` (directly or by a group)."""
    if not user.is_authenticated:
        return False
    if user.is_admin:
        return True
    is_dispatcher = any(a.role in DISPATCHERS for a in user.role_assignments)
    return is_dispatcher and user.has_perm(EXPORT_PERMISSION)
