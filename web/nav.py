"""The navigation each role sees: one list, so every page shows the same menu for a user."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ip import scope as ip_scope
from knowledge import scope as knowledge_scope
from people.models import (
    DISPATCHERS,
    GRID_STAFF,
    INTAKE,
    REPORT_READERS,
    REQUESTERS,
    UNIT_STAFF,
    Role,
    User,
)
from people.scope import may_read_people
from workshops import scope as workshop_scope

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class NavItem:
    label: StrOrPromise
    url_name: str
    roles: frozenset[str]  # empty: everyone signed in
    # A finer rule than roles, without queries (the roles are loaded once per request).
    check: Callable[[User], bool] | None = None

    @property
    def url(self) -> str:
        return reverse(self.url_name)


DISPATCH = DISPATCHERS
DEPT = UNIT_STAFF
GRID = GRID_STAFF | {Role.LINKED_CADRE}
READERS = REPORT_READERS

NAV = [
    NavItem(_("首页"), "web:home", frozenset()),
    NavItem(_("登记诉求"), "desk:desk", INTAKE),
    NavItem(_("研判交办"), "dispatch:inbox", DISPATCH),
    NavItem(_("派单目录"), "catalogue:index", DISPATCH),
    NavItem(_("承办工作台"), "department:queue", DEPT),
    NavItem(_("网格工作"), "grid:home", GRID),
    NavItem(_("会议走访"), "meetings:meeting-new", DISPATCH | GRID),
    NavItem(_("我联系的企业"), "outreach:mine", frozenset({Role.LINKED_CADRE})),
    NavItem(_("走访覆盖"), "outreach:coverage", DISPATCH | {Role.LEADER}),
    NavItem(_("事项台账"), "caseviews:case-list", frozenset()),
    NavItem(_("惠企政策"), "policies:policy-list", frozenset()),
    NavItem(_("知识库"), "knowledge:article-list", frozenset(), check=knowledge_scope.may_read),
    NavItem(_("项目服务"), "projects:project-list", DISPATCH | {Role.LEADER, Role.LINKED_CADRE}),
    NavItem(_("户情台账"), "households:household-list", frozenset(), check=may_read_people),
    NavItem(_("共富工坊"), "workshops:list", frozenset(), check=workshop_scope.in_menu),
    NavItem(_("知识产权"), "ip:overview", frozenset(), check=ip_scope.may_open),
    NavItem(_("隐患排查"), "inspections:campaign-list", GRID_STAFF | DISPATCH | {Role.LEADER}),
    NavItem(_("统计考核"), "dashboard:index", READERS),
    NavItem(_("工作简报"), "briefings:list", READERS),
    NavItem(_("考核任务"), "assessment:task-list", READERS | DEPT),
    NavItem(_("热点预警"), "hotspots:list", DISPATCH | {Role.LEADER}),
    NavItem(_("重复诉求"), "hotspots:repeat-list", DISPATCH | {Role.LEADER, Role.DEPT_HEAD}),
    NavItem(_("每月一题"), "themes:list", READERS | DEPT),
    NavItem(_("基础信息"), "registry:region-tree", READERS | GRID),
    NavItem(_("台账导入"), "ledgers:job-new", DISPATCH),
    NavItem(_("我的诉求"), "mine:list", REQUESTERS),
    # Administrators (who see every item); an authorised dispatcher opens 个人信息导出 at its
    # address: a permission check here would cost every dispatcher's page two queries.
    NavItem(_("个人信息保护"), "privacy:access-log", frozenset({Role.ADMIN})),
]


def nav_for(user: User) -> list[NavItem]:
    if not user.is_authenticated:
        return []
    if user.is_admin:
        return list(NAV)
    held = {a.role for a in user.role_assignments}
    if held and held <= REQUESTERS:
        # Residents and enterprise liaisons follow their own demands, not the staff ledger.
        return [item for item in NAV if item.roles & held]
    return [
        item
        for item in NAV
        if (not item.roles or item.roles & held) and (item.check is None or item.check(user))
    ]
