"""Build the demo county's registries: regions and grids, organisations, people, users and links.

Everything is bulk-created (a few thousand rows in a few dozen queries) and kept in the
``County`` caches, so the case history that follows never looks a region, unit or user up
again. Cases are not made here: ``demo.replay`` makes them through the engine's services.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth.hashers import make_password

from demo import fake
from demo.places import (
    CHAIN_COMMITTEE_NAME,
    COOPERATIVES,
    COUNTY_CODE,
    COUNTY_NAME,
    DEMO_PASSWORD,
    DEPARTMENTS,
    ENTERPRISES,
    HOUSEHOLD_TAGS,
    HUJU_GROUPS_PER_PIECE,
    HUJU_NEIGHBOURHOODS,
    HUJU_PIECES_PER_VILLAGE,
    LIAISONS,
    RURAL_ENTERPRISES,
    SHANGBU_GRID_WORKERS,
    SHANGBU_GRIDS,
    SHANGBU_MONITORED_HOUSEHOLDS,
    SHANGBU_STATIONS,
    TOWNS,
    VILLAGE_COMPANIES,
    WORKSHOP_DEPARTMENT,
    WORKSHOPS,
    Town,
)
from enterprises.models import Policy
from orgs.models import ChainPosition, EnterpriseSize, Organisation, OrgKind
from people.models import (
    EnterpriseLink,
    EnterpriseLinkKind,
    Household,
    HouseholdLink,
    HouseholdLinkKind,
    HouseholdTag,
    Person,
    RegionDuty,
    RegionResponsibility,
    Role,
    RoleAssignment,
    User,
)
from regions.models import PATH_SEGMENT_WIDTH, PATH_SEPARATOR, GridStation, Region, RegionLevel

CHINESE_NUMERALS = "一二三四五六七八九十"


@dataclass
class County:
    """The demo county's objects, cached by the keys the case history needs."""

    region: Region
    towns: dict[str, Region] = field(default_factory=dict)
    villages: dict[tuple[str, str], Region] = field(default_factory=dict)
    # The smallest places of each village where cases happen (grids, groups, neighbourhoods).
    spots: dict[tuple[str, str], list[Region]] = field(default_factory=dict)
    town_govs: dict[str, Organisation] = field(default_factory=dict)
    village_committees: dict[tuple[str, str], Organisation] = field(default_factory=dict)
    units: dict[str, Organisation] = field(default_factory=dict)  # department keys, "chain", …
    enterprises: list[Organisation] = field(default_factory=list)  # the ceramic chain
    rural_enterprises: list[Organisation] = field(default_factory=list)
    users: dict[str, User] = field(default_factory=dict)
    handlers: dict[int, User] = field(default_factory=dict)  # unit id → its handler
    heads: dict[int, User] = field(default_factory=dict)
    village_cadres: dict[tuple[str, str], User] = field(default_factory=dict)
    grid_workers: dict[int, list[User]] = field(default_factory=lambda: defaultdict(list))
    grid_chiefs: dict[int, User] = field(default_factory=dict)
    representatives: dict[int, Person] = field(default_factory=dict)  # neighbourhood id → rep
    households: dict[int, list[Household]] = field(default_factory=lambda: defaultdict(list))
    contacts: dict[int, Person] = field(default_factory=dict)  # enterprise id → contact
    liaisons: dict[int, User] = field(default_factory=dict)  # enterprise id → liaison user
    linked_cadres: dict[int, User] = field(default_factory=dict)  # enterprise id → cadre user
    residents: dict[str, User] = field(default_factory=dict)  # town key → resident user
    # The published policy an answer of each category cites (demo/policies.py fills it).
    policies: dict[str, Policy] = field(default_factory=dict)

    def town_of(self, region: Region) -> str:
        """The town key of a region below a town (by path prefix, no query)."""
        for key, town in self.towns.items():
            if region.path.startswith(town.path):
                return key
        raise KeyError(region.name)


@dataclass
class _UserSpec:
    username: str
    person: Person
    roles: list[tuple[str, Region | None, Organisation | None]]
    superuser: bool = False


class CountyBuilder:
    """Creates the registries in dependency order with bulk inserts."""

    def __init__(self, rng: random.Random, joined: datetime) -> None:
        self.rng = rng
        self.joined = joined  # accounts exist before the history they take part in
        self.persons: list[Person] = []
        self.user_specs: list[_UserSpec] = []
        self.duties: list[tuple[Region, Person, str]] = []
        self.credit_codes: set[str] = set()
        self.enterprise_links: list[tuple[Person, Organisation, str]] = []
        self.linked_users: dict[str, list[Organisation]] = {}  # cadre username → enterprises
        self.huju: dict = {}  # Huju's pieces, groups and neighbourhoods, by level
        self.shangbu_grids: list[Region] = []

    # --- entry point -------------------------------------------------------------------------

    def build(self) -> County:
        county = County(
            region=Region.objects.create(
                name=COUNTY_NAME,
                code=COUNTY_CODE,
                level=RegionLevel.COUNTY,
                population=350000,
                households_count=98000,
            )
        )
        self.county = county
        self._regions(county)
        self._organisations(county)
        self._people(county)
        self._save_people(county)
        self._households(county)
        return county

    # --- regions -----------------------------------------------------------------------------

    @staticmethod
    def _child(parent: Region, index: int, **fields) -> Region:
        # Bulk inserts skip Region.save(), so the materialized path is built here in the same
        # fixed-width format (children are numbered from 1 under a new parent).
        path = f"{parent.path}{index:0{PATH_SEGMENT_WIDTH}d}{PATH_SEPARATOR}"
        return Region(parent=parent, path=path, **fields)

    def _regions(self, county: County) -> None:
        rng = self.rng
        towns = [
            self._child(
                county.region,
                i,
                name=t.name,
                code=t.code,
                level=RegionLevel.TOWN,
                population=rng.randrange(25000, 60000),
            )
            for i, t in enumerate(TOWNS, start=1)
        ]
        Region.objects.bulk_create(towns)
        villages: list[Region] = []
        for town_spec, town in zip(TOWNS, towns, strict=True):
            county.towns[town_spec.key] = town
            for i, (vkey, vname) in enumerate(town_spec.villages, start=1):
                population = rng.randrange(1200, 4200)
                village = self._child(
                    town,
                    i,
                    name=vname,
                    code=f"{town.code}{200 + i:03d}",
                    level=RegionLevel.VILLAGE,
                    population=population,
                    households_count=population // 3,
                )
                villages.append(village)
                county.villages[(town_spec.key, vkey)] = village
        Region.objects.bulk_create(villages)
        for town_spec in TOWNS:
            if town_spec.style == "huju":
                self._huju_grid(county, town_spec)
            elif town_spec.style == "shangbu":
                self._shangbu_grid(county, town_spec)
            else:
                grids = []
                for vkey, vname in town_spec.villages:
                    village = county.villages[(town_spec.key, vkey)]
                    grid = self._child(
                        village,
                        1,
                        name=f"{vname}网格",
                        code=f"{village.code}W01",
                        level=RegionLevel.PIECE,
                        is_grid=True,
                    )
                    grids.append(grid)
                    county.spots[(town_spec.key, vkey)] = [grid]
                Region.objects.bulk_create(grids)

    def _huju_grid(self, county: County, town: Town) -> None:
        """Village → piece (片) → group (组) → neighbourhood (邻): seed 002's four-level grid."""
        pieces, groups = [], []
        for vkey, vname in town.villages:
            village = county.villages[(town.key, vkey)]
            number = 0
            for p in range(1, HUJU_PIECES_PER_VILLAGE + 1):
                piece = self._child(
                    village,
                    p,
                    name=f"{vname}第{CHINESE_NUMERALS[p - 1]}片",
                    code=f"{village.code}P{p}",
                    level=RegionLevel.PIECE,
                )
                pieces.append(piece)
                for g in range(1, HUJU_GROUPS_PER_PIECE + 1):
                    number += 1
                    groups.append(
                        self._child(
                            piece,
                            g,
                            name=f"{vname}第{number}组",
                            code=f"{piece.code}Z{number:02d}",
                            level=RegionLevel.GROUP,
                        )
                    )
        Region.objects.bulk_create(pieces)
        Region.objects.bulk_create(groups)
        per_group = [HUJU_NEIGHBOURHOODS // len(groups)] * len(groups)
        for i in range(HUJU_NEIGHBOURHOODS - sum(per_group)):
            per_group[i] += 1
        neighbourhoods = []
        for group, count in zip(groups, per_group, strict=True):
            for n in range(1, count + 1):
                neighbourhoods.append(
                    self._child(
                        group,
                        n,
                        name=f"{group.name}第{n}邻",
                        code=f"{group.code}L{n}",
                        level=RegionLevel.NEIGHBOURHOOD,
                        is_grid=True,
                        households_count=self.rng.randrange(8, 16),
                    )
                )
        Region.objects.bulk_create(neighbourhoods)
        # Keyed by id, looked up by parent_id (nullable in the schema, never None here).
        by_village: dict[int | None, tuple[str, str]] = {
            v.pk: (town.key, vkey) for (t, vkey), v in county.villages.items() if t == town.key
        }
        piece_village: dict[int | None, tuple[str, str]] = {
            p.pk: by_village[p.parent_id] for p in pieces
        }
        group_village: dict[int | None, tuple[str, str]] = {
            g.pk: piece_village[g.parent_id] for g in groups
        }
        for neighbourhood in neighbourhoods:
            county.spots.setdefault(group_village[neighbourhood.parent_id], []).append(
                neighbourhood
            )
        self.huju = {
            "pieces": pieces,
            "groups": groups,
            "neighbourhoods": neighbourhoods,
            "piece_village": piece_village,
            "group_village": group_village,
        }

    def _shangbu_grid(self, county: County, town: Town) -> None:
        """71 grids over 19 villages and communities, 52 of them with a grid station (seed 004)."""
        villages = [county.villages[(town.key, vkey)] for vkey, _ in town.villages]
        counts = [SHANGBU_GRIDS // len(villages)] * len(villages)
        for i in range(SHANGBU_GRIDS - sum(counts)):
            counts[i] += 1
        grids = []
        for (vkey, vname), village, count in zip(town.villages, villages, counts, strict=True):
            for n in range(1, count + 1):
                grid = self._child(
                    village,
                    n,
                    name=f"{vname}第{n}网格",
                    code=f"{village.code}W{n:02d}",
                    level=RegionLevel.PIECE,
                    is_grid=True,
                    households_count=self.rng.randrange(90, 260),
                )
                grids.append(grid)
                county.spots.setdefault((town.key, vkey), []).append(grid)
        Region.objects.bulk_create(grids)
        stations = [
            GridStation(
                name=f"{grid.name}网格驿站",
                region=grid,
                address=f"上埠镇{grid.name}党群服务点",
                opening_hours="周一至周日 8:30-17:30",
            )
            for grid in grids[:: max(1, len(grids) // SHANGBU_STATIONS)][:SHANGBU_STATIONS]
        ]
        GridStation.objects.bulk_create(stations)
        self.shangbu_grids = grids

    # --- organisations -----------------------------------------------------------------------

    def _credit_code(self, kind: str = "1") -> str:
        while True:
            code = fake.credit_code(self.rng, COUNTY_CODE, kind)
            if code not in self.credit_codes:
                self.credit_codes.add(code)
                return code

    def _organisations(self, county: County) -> None:
        rng, top = self.rng, county.region
        party = Organisation(
            kind=OrgKind.PARTY_COMMITTEE, name="中共德化县委员会", short_name="县委", region=top
        )
        chain = Organisation(
            kind=OrgKind.CHAIN_COMMITTEE,
            name=CHAIN_COMMITTEE_NAME,
            short_name="陶瓷产业链党委",
            region=top,
            phone="0595-23500001",
        )
        Organisation.objects.bulk_create([party, chain])
        chain.parent = party
        chain.save(update_fields=["parent"])
        county.units["party"], county.units["chain"] = party, chain

        first = [
            Organisation(
                kind=OrgKind.WORKING_GROUP,
                name="德化县陶瓷产业链工作专班",
                short_name="工作专班",
                parent=chain,
                region=top,
            ),
            Organisation(
                kind=OrgKind.ASSOCIATION,
                name="德化县陶瓷行业协会",
                short_name="陶瓷行业协会",
                parent=chain,
                region=top,
                chain=chain,
            ),
            Organisation(
                kind=OrgKind.ASSOCIATION,
                name="德化县陶瓷同业公会",
                short_name="陶瓷同业公会",
                parent=chain,
                region=top,
                chain=chain,
            ),
            Organisation(
                kind=OrgKind.ASSOCIATION,
                name="上埠镇电瓷行业协会",
                short_name="电瓷行业协会",
                parent=chain,
                region=county.towns["shangbu"],
                chain=chain,
            ),
        ]
        first += [
            Organisation(
                kind=OrgKind.DEPARTMENT,
                name=name,
                short_name=short,
                region=top,
                phone=f"0595-2352{i:04d}",
                keeps_workshops=key == WORKSHOP_DEPARTMENT,
            )
            for i, (key, name, short, _head) in enumerate(DEPARTMENTS, start=1)
        ]
        first += [
            Organisation(
                kind=OrgKind.TOWN_GOVERNMENT,
                name=f"{t.name}人民政府",
                short_name=t.name,
                region=county.towns[t.key],
            )
            for t in TOWNS
        ]
        Organisation.objects.bulk_create(first)
        (
            county.units["zhuanban"],
            county.units["xiehui"],
            county.units["gonghui"],
            county.units["dianci"],
        ) = first[:4]
        for (key, *_), org in zip(DEPARTMENTS, first[4:], strict=False):
            county.units[key] = org
        for t, org in zip(TOWNS, first[4 + len(DEPARTMENTS) :], strict=True):
            county.town_govs[t.key] = org

        second = [
            Organisation(
                kind=OrgKind.PARTY_BRANCH,
                name="德化县陶瓷行业协会党支部",
                short_name="协会党支部",
                parent=chain,
                region=top,
            ),
        ]
        for t in TOWNS:
            second.append(
                Organisation(
                    kind=OrgKind.PARTY_COMMITTEE,
                    name=f"中共{t.name}委员会",
                    short_name=f"{t.name}党委",
                    parent=party,
                    region=county.towns[t.key],
                )
            )
            for vkey, vname in t.villages:
                committee = Organisation(
                    kind=OrgKind.VILLAGE_COMMITTEE,
                    name=f"{vname}两委",
                    short_name=vname,
                    parent=county.town_govs[t.key],
                    region=county.villages[(t.key, vkey)],
                )
                county.village_committees[(t.key, vkey)] = committee
                second.append(committee)
        Organisation.objects.bulk_create(second)

        enterprises = []
        for name, town, village, industry, size, park, position, employees in ENTERPRISES:
            enterprises.append(
                Organisation(
                    kind=OrgKind.ENTERPRISE,
                    name=name,
                    region=county.villages[(town, village)],
                    credit_code=self._credit_code(),
                    industry=industry,
                    size=EnterpriseSize(size),
                    park=park,
                    chain_position=ChainPosition(position),
                    employees=employees,
                    chain=chain,
                    is_above_scale=size in ("large", "medium") or employees >= 150,
                    phone=f"0595-235{rng.randrange(10000, 99999)}",
                )
            )
        rural = [
            Organisation(
                kind=OrgKind.ENTERPRISE,
                name=name,
                region=county.villages[(town, village)],
                credit_code=self._credit_code(),
                industry=industry,
                size=EnterpriseSize(size),
                park="乡村振兴车间",
                employees=employees,
            )
            for name, town, village, industry, size, employees in RURAL_ENTERPRISES
        ]
        others = (
            [
                Organisation(
                    kind=OrgKind.COOPERATIVE,
                    name=name,
                    region=county.villages[(t, v)],
                    parent=county.village_committees[(t, v)],
                    credit_code=self._credit_code("3"),
                    industry="农业",
                )
                for name, t, v in COOPERATIVES
            ]
            + [
                Organisation(
                    kind=OrgKind.VILLAGE_COMPANY,
                    name=name,
                    region=county.villages[(t, v)],
                    parent=county.village_committees[(t, v)],
                    industry="劳务/资产运营",
                )
                for name, t, v in VILLAGE_COMPANIES
            ]
            + [
                Organisation(
                    kind=OrgKind.WORKSHOP,
                    name=name,
                    industry=f"共富工坊·{kind}",
                    region=county.villages[(t, v)],
                    parent=county.village_committees[(t, v)],
                )
                for name, kind, t, v in WORKSHOPS
            ]
        )
        Organisation.objects.bulk_create(enterprises + rural + others)
        county.enterprises, county.rural_enterprises = enterprises, rural
        # Non-public party branches (非公党支部) in the larger chain enterprises.
        Organisation.objects.bulk_create(
            [
                Organisation(
                    kind=OrgKind.PARTY_BRANCH,
                    name=f"{e.name}党支部",
                    short_name=f"{e.name[:6]}党支部",
                    parent=chain,
                    region=e.region,
                )
                for e in enterprises
                if e.employees and e.employees >= 150
            ]
        )

    # --- people and users --------------------------------------------------------------------

    def _person(
        self,
        name: str | None = None,
        *,
        region: Region | None = None,
        organisation: Organisation | None = None,
        position: str = "",
        party: bool = False,
        representative: bool = False,
        area: str = COUNTY_CODE,
    ) -> Person:
        rng = self.rng
        person = Person(
            name=name or fake.person_name(rng),
            phone=fake.mobile(rng),
            id_number=fake.id_number(rng, area),
            region=region,
            organisation=organisation,
            position=position,
            is_party_member=party,
            is_representative=representative,
        )
        self.persons.append(person)
        return person

    def _user(
        self,
        username: str,
        person: Person,
        *roles: tuple[str, Region | None, Organisation | None],
        superuser: bool = False,
    ) -> None:
        self.user_specs.append(_UserSpec(username, person, list(roles), superuser))

    def _people(self, county: County) -> None:
        u, top = county.units, county.region
        towns = county.towns
        self._user(
            "admin",
            self._person(organisation=u["shgzb"], position="系统管理员"),
            (Role.ADMIN, None, None),
            superuser=True,
        )
        self._user(
            "leader",
            self._person(
                region=top, organisation=u["party"], position="县委常委、社会工作部部长", party=True
            ),
            (Role.LEADER, top, None),
        )
        self._user(
            "huju_leader",
            self._person(
                region=towns["huju"],
                organisation=county.town_govs["huju"],
                position="虎踞镇党委书记",
                party=True,
            ),
            (Role.LEADER, towns["huju"], None),
        )
        self._user(
            "dispatcher",
            self._person(region=top, organisation=u["shgzb"], position="县社会治理中心研判交办员"),
            (Role.DISPATCHER, top, None),
        )
        self._user(
            "operator",
            self._person(region=top, organisation=u["shgzb"], position="12345热线话务员"),
            (Role.OPERATOR, top, None),
        )
        self._user(
            "huju_window",
            self._person(
                region=towns["huju"],
                organisation=county.town_govs["huju"],
                position="虎踞镇便民服务中心窗口",
            ),
            (Role.OPERATOR, towns["huju"], None),
        )
        self._user(
            "chain_dispatcher",
            self._person(organisation=u["chain"], position="产业链党委办公室干事", party=True),
            (Role.DISPATCHER, None, u["chain"]),
        )
        self._user(
            "huju_dispatcher",
            self._person(
                region=towns["huju"],
                organisation=county.town_govs["huju"],
                position="虎踞镇综治中心研判交办员",
            ),
            (Role.DISPATCHER, towns["huju"], None),
        )
        self._user(
            "shangbu_dispatcher",
            self._person(
                region=towns["shangbu"],
                organisation=county.town_govs["shangbu"],
                position="上埠镇综治中心研判交办员",
            ),
            (Role.DISPATCHER, towns["shangbu"], None),
        )
        for key, _name, short, has_head in DEPARTMENTS:
            unit = u[key]
            self._user(
                f"{key}_handler",
                self._person(organisation=unit, position=f"{short}承办人"),
                (Role.DEPT_HANDLER, None, unit),
            )
            if has_head:
                self._user(
                    f"{key}_head",
                    self._person(organisation=unit, position=f"{short}负责人", party=True),
                    (Role.DEPT_HEAD, None, unit),
                )
        self._user(
            "zhuanban",
            self._person(organisation=u["zhuanban"], position="工作专班成员", party=True),
            (Role.DEPT_HANDLER, None, u["zhuanban"]),
        )
        self._user(
            "xiehui",
            self._person(organisation=u["xiehui"], position="陶瓷行业协会秘书长"),
            (Role.DEPT_HANDLER, None, u["xiehui"]),
        )
        for t in TOWNS:
            gov = county.town_govs[t.key]
            self._user(
                f"{t.key}_gov",
                self._person(region=towns[t.key], organisation=gov, position=f"{t.name}承办人"),
                (Role.DEPT_HANDLER, None, gov),
            )
        self._village_people(county)
        self._linked_cadres(county)
        self._enterprise_people(county)
        self._residents(county)

    def _village_people(self, county: County) -> None:
        """Village cadres, Huju's town cadre / piece / group / neighbourhood chain, Shangbu's grid staff."""
        for t in TOWNS:
            for vkey, vname in t.villages:
                village = county.villages[(t.key, vkey)]
                committee = county.village_committees[(t.key, vkey)]
                secretary = self._person(
                    region=village,
                    organisation=committee,
                    position=f"{vname}党组织书记",
                    party=True,
                )
                self.duties.append((village, secretary, RegionDuty.SECRETARY))
                if t.style in ("huju", "shangbu"):
                    self._user(
                        f"{t.key}_{vkey}",
                        secretary,
                        (Role.VILLAGE_CADRE, village, None),
                        (Role.DEPT_HANDLER, None, committee),
                    )
                else:
                    grid = county.spots[(t.key, vkey)][0]
                    worker = self._person(
                        region=grid, organisation=committee, position="专职网格员"
                    )
                    self.duties.append((grid, worker, RegionDuty.GRID_WORKER))
                    self._user(f"{t.key}_{vkey}_wg", worker, (Role.GRID_WORKER, grid, None))
                    self._user(
                        f"{t.key}_{vkey}",
                        secretary,
                        (Role.VILLAGE_CADRE, village, None),
                        (Role.DEPT_HANDLER, None, committee),
                    )
                if t.style == "huju":
                    cadre = self._person(
                        region=village,
                        organisation=county.town_govs[t.key],
                        position="包村镇干部",
                        party=True,
                        area="430224",
                    )
                    self.duties.append((village, cadre, RegionDuty.TOWN_CADRE))
        huju = self.huju
        for piece in huju["pieces"]:
            committee = county.village_committees[huju["piece_village"][piece.pk]]
            cadre = self._person(
                region=piece,
                organisation=committee,
                position="包片村干部",
                party=True,
                area="430224",
            )
            self.duties.append((piece, cadre, RegionDuty.VILLAGE_CADRE))
        for group in huju["groups"]:
            leader = self._person(region=group, position="村民小组组长", area="430224")
            self.duties.append((group, leader, RegionDuty.GROUP_LEADER))
        for n in huju["neighbourhoods"]:
            rep = self._person(
                region=n,
                position="村民代表",
                representative=True,
                party=self.rng.random() < 0.3,
                area="430224",
            )
            self.duties.append((n, rep, RegionDuty.REPRESENTATIVE))
            county.representatives[n.pk] = rep
        # Shangbu: one grid chief per grid, 170 grid workers spread over the 71 grids.
        shangbu_gov = county.town_govs["shangbu"]
        for i, grid in enumerate(self.shangbu_grids, start=1):
            chief = self._person(
                region=grid, organisation=shangbu_gov, position="网格长", party=True, area="360323"
            )
            self.duties.append((grid, chief, RegionDuty.GRID_CHIEF))
            self._user(f"shangbu_gz{i:02d}", chief, (Role.GRID_CHIEF, grid, None))
        for i in range(1, SHANGBU_GRID_WORKERS + 1):
            grid = self.shangbu_grids[(i - 1) % len(self.shangbu_grids)]
            worker = self._person(
                region=grid, organisation=shangbu_gov, position="专职网格员", area="360323"
            )
            self.duties.append((grid, worker, RegionDuty.GRID_WORKER))
            self._user(f"shangbu_wg{i:03d}", worker, (Role.GRID_WORKER, grid, None))

    def _linked_cadres(self, county: County) -> None:
        """挂钩干部, 驻厂专员 and 党建指导员 (seeds 003 and 004) with their enterprise links."""
        u, rng = county.units, self.rng
        chain_firms = [e for e in county.enterprises if not e.park.startswith("上埠")]
        shangbu_firms = [e for e in county.enterprises if e.park.startswith("上埠")]
        homes = [u["gxj"], u["tcb"], u["rsj"], u["scjg"], u["zrzy"], u["sw"]]
        rng.shuffle(chain_firms)
        cadres = []
        for i, home in enumerate(homes):
            cadre = self._person(organisation=home, position="挂钩联系企业干部", party=True)
            cadres.append(cadre)
            for firm in chain_firms[i :: len(homes)]:
                self.enterprise_links.append((cadre, firm, EnterpriseLinkKind.LINKED_CADRE))
        self._user("guagou", cadres[0], (Role.LINKED_CADRE, None, homes[0]))
        self.linked_users = {"guagou": [f for p, f, _k in self.enterprise_links if p is cadres[0]]}
        commissioners = [
            self._person(
                organisation=county.town_govs["shangbu"],
                position="驻厂专员",
                party=True,
                area="360323",
            )
            for _ in range(3)
        ]
        for i, firm in enumerate(shangbu_firms):
            self.enterprise_links.append(
                (commissioners[i % 3], firm, EnterpriseLinkKind.RESIDENT_COMMISSIONER)
            )
        self._user(
            "zhuchang", commissioners[0], (Role.LINKED_CADRE, None, county.town_govs["shangbu"])
        )
        self.linked_users["zhuchang"] = [
            f for p, f, _k in self.enterprise_links if p is commissioners[0]
        ]
        instructors = [
            self._person(organisation=u["shgzb"], position="党建指导员", party=True)
            for _ in range(4)
        ]
        big = [e for e in county.enterprises if (e.employees or 0) >= 100]
        for i, firm in enumerate(big):
            self.enterprise_links.append(
                (instructors[i % 4], firm, EnterpriseLinkKind.PARTY_INSTRUCTOR)
            )
        self._user("dangjian", instructors[0], (Role.LINKED_CADRE, None, u["shgzb"]))
        self.linked_users["dangjian"] = [
            f for p, f, _k in self.enterprise_links if p is instructors[0]
        ]

    def _enterprise_people(self, county: County) -> None:
        liaison_names = dict(LIAISONS)
        for firm in county.enterprises + county.rural_enterprises:
            boss = self._person(region=firm.region, organisation=firm, position="法定代表人")
            self.enterprise_links.append((boss, firm, EnterpriseLinkKind.LEGAL_REPRESENTATIVE))
            contact = self._person(region=firm.region, organisation=firm, position="企业联络员")
            self.enterprise_links.append((contact, firm, EnterpriseLinkKind.LIAISON))
            county.contacts[firm.pk] = contact
            if firm.name in liaison_names:
                self._user(liaison_names[firm.name], contact, (Role.ENTERPRISE_LIAISON, None, firm))

    def _residents(self, county: County) -> None:
        huju_spot = county.spots[("huju", "gaoshui")][0]
        self._user(
            "resident",
            self._person(region=huju_spot, position="村民", area="430224"),
            (Role.RESIDENT, None, None),
        )
        shangbu_spot = county.spots[("shangbu", "pingci")][0]
        self._user(
            "resident_sb",
            self._person(region=shangbu_spot, position="社区居民", area="360323"),
            (Role.RESIDENT, None, None),
        )
        dehua_spot = county.spots[("xunzhong", "xunzhong")][0]
        self._user(
            "resident_dh",
            self._person(region=dehua_spot, position="居民"),
            (Role.RESIDENT, None, None),
        )

    def _save_people(self, county: County) -> None:
        Person.objects.bulk_create(self.persons)
        password = make_password(DEMO_PASSWORD)  # one hash: hashing per user would take minutes
        users = [
            User(
                username=spec.username,
                password=password,
                person=spec.person,
                is_superuser=spec.superuser,
                is_staff=spec.superuser,
                first_name=spec.person.name,
                date_joined=self.joined,
            )
            for spec in self.user_specs
        ]
        User.objects.bulk_create(users)
        assignments = []
        for spec, user in zip(self.user_specs, users, strict=True):
            county.users[spec.username] = user
            for role, region, org in spec.roles:
                assignments.append(
                    RoleAssignment(user=user, role=role, region=region, organisation=org)
                )
                if role in (Role.DEPT_HANDLER,) and org is not None:
                    county.handlers.setdefault(org.pk, user)
                elif role == Role.DEPT_HEAD and org is not None:
                    county.heads[org.pk] = user
                elif role == Role.VILLAGE_CADRE and region is not None:
                    key = next(k for k, v in county.villages.items() if v.pk == region.pk)
                    county.village_cadres[key] = user
                elif role == Role.GRID_WORKER and region is not None:
                    county.grid_workers[region.pk].append(user)
                elif role == Role.GRID_CHIEF and region is not None:
                    county.grid_chiefs[region.pk] = user
                elif role == Role.ENTERPRISE_LIAISON and org is not None:
                    county.liaisons[org.pk] = user
                elif role == Role.RESIDENT and spec.person.region is not None:
                    # Residents see only their own submissions: their role has no scope.
                    county.residents[county.town_of(spec.person.region)] = user
        RoleAssignment.objects.bulk_create(assignments)
        RegionResponsibility.objects.bulk_create(
            RegionResponsibility(region=r, person=p, duty=d) for r, p, d in self.duties
        )
        EnterpriseLink.objects.bulk_create(
            EnterpriseLink(person=p, enterprise=e, kind=k) for p, e, k in self.enterprise_links
        )
        for username, firms in self.linked_users.items():
            for firm in firms:
                county.linked_cadres.setdefault(firm.pk, county.users[username])

    # --- households --------------------------------------------------------------------------

    def _households(self, county: County) -> None:
        """Shangbu: ~12 households per grid, tagged, with "1+10+N" party-member links and one
        assistance cadre per monitored household; Huju: households linked to their 邻's rep."""
        rng = self.rng
        tags = {name: HouseholdTag.objects.get_or_create(name=name)[0] for name in HOUSEHOLD_TAGS}
        households: list[Household] = []
        members: list[Person] = []
        for grid in self.shangbu_grids:
            for n in range(12):
                households.append(
                    Household(
                        head_name=fake.person_name(rng),
                        head_id_number=fake.id_number(rng, "360323"),
                        phone=fake.mobile(rng),
                        address=f"上埠镇{grid.name}{rng.randrange(1, 200)}号",
                        region=grid,
                        members=rng.randrange(1, 7),
                    )
                )
                if n == 0:
                    members.append(
                        Person(
                            name=fake.person_name(rng),
                            phone=fake.mobile(rng),
                            id_number=fake.id_number(rng, "360323"),
                            region=grid,
                            position="联户党员",
                            is_party_member=True,
                        )
                    )
        for n in self.huju["neighbourhoods"]:
            for _ in range(2):
                households.append(
                    Household(
                        head_name=fake.person_name(rng),
                        head_id_number=fake.id_number(rng, "430224"),
                        phone=fake.mobile(rng),
                        address=f"虎踞镇{n.name}",
                        region=n,
                        members=rng.randrange(1, 7),
                    )
                )
        Household.objects.bulk_create(households)
        Person.objects.bulk_create(members)
        shangbu = [h for h in households if h.address.startswith("上埠")]
        links = []
        for g, member in enumerate(members):
            for h in shangbu[
                g * 12 : g * 12 + 10
            ]:  # 1 party member + 10 households (+N neighbours)
                links.append(
                    HouseholdLink(person=member, household=h, kind=HouseholdLinkKind.PARTY_MEMBER)
                )
        for h in households:
            county.households[h.region_id].append(h)
            if h.region_id in county.representatives:
                links.append(
                    HouseholdLink(
                        person=county.representatives[h.region_id],
                        household=h,
                        kind=HouseholdLinkKind.NEIGHBOURHOOD,
                    )
                )
        through = Household.tags.through
        tag_rows = []
        monitored = rng.sample(shangbu, SHANGBU_MONITORED_HOUSEHOLDS)
        monitored_ids = {h.pk for h in monitored}
        for h in shangbu:
            chosen = set()
            if h.pk in monitored_ids:
                chosen.add("监测对象")
            if rng.random() < 0.14:
                chosen.add("脱贫户")
            if rng.random() < 0.05:
                chosen.add("低保")
            if rng.random() < 0.035:
                chosen.add("残疾")
            tag_rows += [
                through(household_id=h.pk, householdtag_id=tags[t].pk) for t in sorted(chosen)
            ]
        through.objects.bulk_create(tag_rows)
        chiefs = {r.pk: p for r, p, d in self.duties if d == RegionDuty.GRID_CHIEF}
        for h in monitored:  # 一户一策: the grid chief is the assistance cadre
            links.append(
                HouseholdLink(
                    person=chiefs[h.region_id], household=h, kind=HouseholdLinkKind.ASSISTANCE
                )
            )
        HouseholdLink.objects.bulk_create(links)
