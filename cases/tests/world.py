"""A small named world for tests: a county with two towns, two departments and one user per role.

Build it with ``World.build()`` inside a test (or a fixture); every case comes from the engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cases import services
from cases.models import Case, CaseType, Category, Channel, Satisfaction, Status
from cases.reference import ensure_reference_data
from orgs.credit_code import make_credit_code
from orgs.models import Organisation, OrgKind
from people.models import Person, Role, RoleAssignment, User
from regions.models import Region, RegionLevel


def make_user(
    username: str,
    role: str | None = None,
    *,
    region: Region | None = None,
    organisation: Organisation | None = None,
    person_name: str | None = None,
    phone: str = "13800000000",
) -> User:
    person = Person.objects.create(name=person_name or username, phone=phone)
    user = User.objects.create_user(username=username, password="pass-12345", person=person)
    if role:
        RoleAssignment.objects.create(
            user=user, role=role, region=region, organisation=organisation
        )
    return user


@dataclass
class World:
    county: Region
    town: Region
    village: Region
    grid: Region
    other_town: Region
    other_grid: Region
    chain_committee: Organisation
    dept: Organisation
    other_dept: Organisation
    enterprise: Organisation
    types: dict[str, CaseType]
    dispatcher: User
    handler: User
    other_handler: User
    grid_worker: User
    other_grid_worker: User
    leader: User
    admin: User
    outsider: User
    operator: User  # the hotline / walk-in desk (话务员) over the county
    resident: User  # files and follows their own demands on the phone (unique phone number)
    liaison: User  # the enterprise's liaison (企业联络员)

    @classmethod
    def build(cls) -> World:
        types = ensure_reference_data()
        county = Region.objects.create(name="德化县", code="350526", level=RegionLevel.COUNTY)
        town = Region.objects.create(
            name="浔中镇", code="350526100", level=RegionLevel.TOWN, parent=county
        )
        village = Region.objects.create(
            name="浔中村", code="350526100001", level=RegionLevel.VILLAGE, parent=town
        )
        grid = Region.objects.create(
            name="第一网格",
            code="350526100001G1",
            level=RegionLevel.PIECE,
            parent=village,
            is_grid=True,
        )
        other_town = Region.objects.create(
            name="龙浔镇", code="350526101", level=RegionLevel.TOWN, parent=county
        )
        other_grid = Region.objects.create(
            name="龙浔第一网格",
            code="350526101001G1",
            level=RegionLevel.VILLAGE,
            parent=other_town,
            is_grid=True,
        )
        chain = Organisation.objects.create(
            kind=OrgKind.CHAIN_COMMITTEE, name="德化县陶瓷产业链党委", region=county
        )
        dept = Organisation.objects.create(
            kind=OrgKind.DEPARTMENT,
            name="德化县人力资源和社会保障局",
            short_name="人社局",
            region=county,
        )
        other_dept = Organisation.objects.create(
            kind=OrgKind.DEPARTMENT,
            name="德化县市场监督管理局",
            short_name="市场监管局",
            region=county,
        )
        enterprise = Organisation.objects.create(
            kind=OrgKind.ENTERPRISE,
            name="德化佳诚陶瓷有限公司",
            region=town,
            chain=chain,
            credit_code=make_credit_code("9", "1", "350526", "MA2Y00001"),
        )
        return cls(
            county=county,
            town=town,
            village=village,
            grid=grid,
            other_town=other_town,
            other_grid=other_grid,
            chain_committee=chain,
            dept=dept,
            other_dept=other_dept,
            enterprise=enterprise,
            types=types,
            dispatcher=make_user("dispatcher", Role.DISPATCHER, region=county),
            handler=make_user("handler", Role.DEPT_HANDLER, organisation=dept),
            other_handler=make_user("other_handler", Role.DEPT_HANDLER, organisation=other_dept),
            grid_worker=make_user("grid_worker", Role.GRID_WORKER, region=grid),
            other_grid_worker=make_user("other_grid_worker", Role.GRID_WORKER, region=other_grid),
            leader=make_user("leader", Role.LEADER),
            admin=User.objects.create_superuser("admin", password="pass-12345"),
            outsider=make_user("outsider"),
            operator=make_user("operator", Role.OPERATOR, region=county),
            resident=make_user(
                "resident", Role.RESIDENT, person_name="王秀英", phone="13959001234"
            ),
            liaison=make_user(
                "liaison",
                Role.ENTERPRISE_LIAISON,
                organisation=enterprise,
                person_name="林志强",
                phone="13905951234",
            ),
        )

    def category(self, type_code: str = "resident_issue") -> Category:
        category = self.types[type_code].categories.order_by("code").first()
        assert category is not None
        return category

    def report(
        self, type_code: str = "resident_issue", *, actor: User | None = None, **overrides: Any
    ) -> Case:
        fields: dict[str, Any] = {
            "case_type": self.types[type_code],
            "region": self.grid,
            "title": "路灯不亮",
            "description": "浔中村第一网格主路三盏路灯不亮，夜间出行不便。",
            "channel": Channel.GRID,
            "requester_name": "张三",
            "requester_phone": "13912345678",
        }
        fields.update(overrides)
        if actor is None:
            # The grid worker reports in their own grid; elsewhere the county dispatcher does.
            region = fields["region"]
            in_grid = self.grid.path <= region.path < self.grid.path_range_end
            actor = self.grid_worker if in_grid else self.dispatcher
        return services.report_case(actor=actor, **fields)

    def assigned(self, type_code: str = "resident_issue", **overrides: Any) -> Case:
        case = self.report(type_code, **overrides)
        case = services.triage_case(case, actor=self.dispatcher, category=self.category(type_code))
        return services.assign_case(case, actor=self.dispatcher, lead_unit=self.dept)

    def answered(self, type_code: str = "resident_issue", **overrides: Any) -> Case:
        case = services.accept_case(self.assigned(type_code, **overrides), actor=self.handler)
        return services.answer_case(case, actor=self.handler, answer="已维修路灯，恢复照明。")

    def verified(
        self, type_code: str = "resident_issue", *, passed: bool = True, **overrides: Any
    ) -> Case:
        """An answered case after a reached return visit (passed or not)."""
        return services.return_visit(
            self.answered(type_code, **overrides),
            actor=self.dispatcher,
            reached=True,
            contacted=True,
            resolved=passed,
            satisfaction=Satisfaction.SATISFIED if passed else Satisfaction.UNSATISFIED,
        )

    def in_status(self, status: str, type_code: str = "resident_issue", **overrides: Any) -> Case:
        """A case brought to ``status`` by the engine's own moves, the usual way."""
        if status == Status.REPORTED:
            return self.report(type_code, **overrides)
        if status == Status.TRIAGED:
            return services.triage_case(self.report(type_code, **overrides), actor=self.dispatcher)
        if status == Status.ASSIGNED:
            return self.assigned(type_code, **overrides)
        if status == Status.IN_PROGRESS:
            return services.accept_case(self.assigned(type_code, **overrides), actor=self.handler)
        if status == Status.ANSWERED:
            return self.answered(type_code, **overrides)
        if status == Status.VERIFIED:
            return self.verified(type_code, **overrides)
        if status == Status.CLOSED:
            return services.close_case(self.verified(type_code, **overrides), actor=self.dispatcher)
        if status == Status.REJECTED:
            return services.reject_case(
                self.report(type_code, **overrides),
                actor=self.dispatcher,
                reason="不属于受理范围。",
            )
        if status == Status.MERGED:
            master = self.report(type_code, **overrides)
            return services.merge_case(
                self.report(type_code, **overrides),
                actor=self.dispatcher,
                master=master,
                note="重复反映。",
            )
        raise ValueError(status)
