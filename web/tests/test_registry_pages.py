"""Registry browsing: who may see which registry, scope of people and households, masking,
filters, the htmx region tree, and query counts that do not grow with the rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orgs.credit_code import make_credit_code
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
)
from regions.models import GridStation, Region, RegionLevel

TREE = reverse("registry:region-tree")
ORGS = reverse("registry:organisation-list")
ENTERPRISES = reverse("registry:enterprise-list")
PEOPLE = reverse("registry:person-list")
HOUSEHOLDS = reverse("registry:household-list")
OPEN_TO_ROLES = [TREE, ORGS, ENTERPRISES]
SCOPED = [PEOPLE, HOUSEHOLDS]


@pytest.mark.parametrize("url", OPEN_TO_ROLES + SCOPED)
def test_an_anonymous_visitor_is_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302 and reverse("web:login") in response["Location"]


@pytest.mark.parametrize("url", OPEN_TO_ROLES + SCOPED)
def test_a_user_without_a_role_may_not_browse(world, client, url):
    client.force_login(world.outsider)
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("url", OPEN_TO_ROLES)
def test_everyone_with_a_role_browses_regions_and_organisations(world, client, url):
    client.force_login(world.handler)
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("url", SCOPED)
def test_people_and_households_are_only_for_admin_dispatch_leaders_and_grid(world, client, url):
    client.force_login(world.handler)
    assert client.get(url).status_code == 403
    for user in (world.admin, world.dispatcher, world.leader, world.grid_worker):
        client.force_login(user)
        assert client.get(url).status_code == 200
    client.force_login(world.handler)
    assert reverse("registry:person-list") not in client.get(TREE).content.decode()


def people(world) -> tuple[Person, Person]:
    here = Person.objects.create(
        name="赵网格",
        phone="13712345678",
        id_number="350526199001011234",
        region=world.grid,
        is_party_member=True,
    )
    there = Person.objects.create(name="钱龙浔", phone="13612345678", region=world.other_grid)
    return here, there


def names(response) -> list[str]:
    return [p.name for p in response.context["page"].object_list]


def test_people_are_limited_to_the_users_region_subtree(world, client):
    here, there = people(world)
    client.force_login(world.grid_worker)
    assert names(client.get(PEOPLE)) == [here.name]
    client.force_login(world.dispatcher)
    assert set(names(client.get(PEOPLE))) == {here.name, there.name}
    # A region outside the scope is ignored, never widening it.
    client.force_login(world.grid_worker)
    assert names(client.get(f"{PEOPLE}?region={world.other_grid.code}")) == [here.name]


def test_phone_and_id_numbers_are_masked_except_for_administrators(world, client):
    people(world)
    client.force_login(world.dispatcher)
    body = client.get(PEOPLE).content.decode()
    assert "137****5678" in body and "3505**********1234" in body
    assert "13712345678" not in body and "350526199001011234" not in body
    client.force_login(world.admin)
    body = client.get(PEOPLE).content.decode()
    assert "13712345678" in body and "350526199001011234" in body


def test_people_filters_and_links(world, client):
    here, there = people(world)
    household = Household.objects.create(head_name="孙大山", region=world.grid)
    HouseholdLink.objects.create(
        person=here, household=household, kind=HouseholdLinkKind.PARTY_MEMBER
    )
    EnterpriseLink.objects.create(
        person=here, enterprise=world.enterprise, kind=EnterpriseLinkKind.LINKED_CADRE
    )
    client.force_login(world.dispatcher)
    assert names(client.get(f"{PEOPLE}?party=1")) == [here.name]
    assert names(client.get(f"{PEOPLE}?q=钱")) == [there.name]
    assert names(client.get(f"{PEOPLE}?region={world.other_town.code}")) == [there.name]
    body = client.get(PEOPLE).content.decode()
    assert f"挂钩干部：{world.enterprise}" in body and "党员联户(1+10+N) 1 户" in body


def households(world) -> tuple[Household, Household]:
    poor = HouseholdTag.objects.create(name="脱贫户")
    here = Household.objects.create(
        head_name="孙大山", phone="13512345678", address="浔中村第一网格12号", region=world.grid
    )
    here.tags.add(poor)
    there = Household.objects.create(head_name="周小河", region=world.other_grid)
    return here, there


def test_households_are_scoped_masked_and_filtered_by_tag(world, client):
    here, there = households(world)
    client.force_login(world.grid_worker)
    response = client.get(HOUSEHOLDS)
    assert [h.pk for h in response.context["page"].object_list] == [here.pk]
    body = response.content.decode()
    assert "孙**户" in body and "孙大山" not in body and "135****5678" in body
    assert "13512345678" not in body
    client.force_login(world.dispatcher)
    tag = HouseholdTag.objects.get(name="脱贫户")
    response = client.get(f"{HOUSEHOLDS}?tag={tag.pk}")
    assert [h.pk for h in response.context["page"].object_list] == [here.pk]
    assert len(client.get(HOUSEHOLDS).context["page"].object_list) == 2
    client.force_login(world.admin)
    assert "孙大山" in client.get(HOUSEHOLDS).content.decode()


def test_the_region_tree_shows_nodes_with_their_people_and_grid_stations(world, client):
    chief = Person.objects.create(name="吴镇长", phone="13312345678")
    RegionResponsibility.objects.create(region=world.town, person=chief, duty=RegionDuty.TOWN_CADRE)
    GridStation.objects.create(name="浔中驿站", region=world.town, address="浔中镇政府一楼")
    client.force_login(world.dispatcher)
    body = client.get(TREE).content.decode()
    assert "德化县" in body and "浔中镇" in body and "龙浔镇" in body
    assert "包村镇干部：吴镇长" in body and "133****5678" in body and "13312345678" not in body
    assert "浔中驿站" in body and "浔中镇政府一楼" in body
    assert "浔中村" not in body  # below the towns: loaded when a town is opened
    assert reverse("registry:region-children", args=[world.town.pk]) in body


def test_opening_a_node_loads_its_children_as_a_fragment(world, client):
    client.force_login(world.handler)
    url = reverse("registry:region-children", args=[world.town.pk])
    response = client.get(url, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200 and "浔中村" in body and "<html" not in body
    assert reverse("registry:region-children", args=[world.village.pk]) in body
    # Without htmx the same address opens the full tree there.
    response = client.get(url)
    assert response.status_code == 302 and response["Location"] == f"{TREE}?at={world.town.pk}"


def test_the_tree_opens_down_to_a_region(world, client):
    client.force_login(world.dispatcher)
    body = client.get(f"{TREE}?at={world.grid.pk}").content.decode()
    assert "浔中村" in body and "第一网格" in body and 'class="node level-4 here"' in body


def test_the_tree_opens_down_to_the_users_own_place(world, client):
    client.force_login(world.grid_worker)
    body = client.get(TREE).content.decode()
    assert "浔中村" in body and 'class="node level-4 here"' in body
    assert "龙浔第一网格" not in body


def test_organisations_are_listed_by_kind(world, client):
    client.force_login(world.grid_worker)
    response = client.get(f"{ORGS}?kind=department")
    assert {o.name for o in response.context["page"].object_list} == {
        world.dept.name,
        world.other_dept.name,
    }
    body = client.get(f"{ORGS}?kind=chain_committee").content.decode()
    assert world.chain_committee.name in body and world.dept.name not in body
    assert client.get(f"{ORGS}?kind=enterprise")["Location"] == ENTERPRISES
    assert len(client.get(f"{ORGS}?kind=department&q=市场").context["page"].object_list) == 1


def enterprise(world, name: str, serial: str, **fields) -> Organisation:
    return Organisation.objects.create(
        kind=OrgKind.ENTERPRISE,
        name=name,
        region=world.town,
        credit_code=make_credit_code("9", "1", "350526", serial),
        **fields,
    )


def test_enterprises_show_their_profile_and_linked_cadres_and_filter(world, client):
    kiln = enterprise(
        world,
        "德化窑火陶瓷有限公司",
        "MA2Y00002",
        industry="日用陶瓷",
        size=EnterpriseSize.SMALL,
        park="城东工业园区",
        chain_position=ChainPosition.MIDSTREAM,
    )
    cadre = Person.objects.create(name="郑挂钩")
    EnterpriseLink.objects.create(
        person=cadre, enterprise=kiln, kind=EnterpriseLinkKind.LINKED_CADRE
    )
    client.force_login(world.handler)
    body = client.get(ENTERPRISES).content.decode()
    for text in (
        kiln.name,
        kiln.credit_code,
        "日用陶瓷",
        "小型",
        "城东工业园区",
        "中游(生产制造)",
        "挂钩干部：郑挂钩",
        world.enterprise.name,
    ):
        assert text in body
    for query in (
        "industry=日用陶瓷",
        "size=small",
        "park=城东工业园区",
        "chain_position=midstream",
        f"q={kiln.credit_code[-6:]}",
        "q=窑火",
    ):
        listed = client.get(f"{ENTERPRISES}?{query}").context["page"].object_list
        assert [e.pk for e in listed] == [kiln.pk], query


def _queries(client, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_registry_lists_cost_the_same_queries_for_3_and_30_rows(world, client):
    tag = HouseholdTag.objects.create(name="监测对象")
    cadre = Person.objects.create(name="陈干部", region=world.grid)

    def grow(start: int, stop: int) -> None:
        for i in range(start, stop):
            person = Person.objects.create(name=f"人{i:02d}", region=world.grid)
            household = Household.objects.create(head_name=f"户{i:02d}", region=world.grid)
            household.tags.add(tag)
            HouseholdLink.objects.create(
                person=person, household=household, kind=HouseholdLinkKind.NEIGHBOURHOOD
            )
            firm = enterprise(world, f"企业{i:02d}", f"MA2Y1{i:04d}")
            EnterpriseLink.objects.create(
                person=cadre, enterprise=firm, kind=EnterpriseLinkKind.PARTY_INSTRUCTOR
            )
            EnterpriseLink.objects.create(
                person=person, enterprise=firm, kind=EnterpriseLinkKind.LINKED_CADRE
            )
            village = Region.objects.create(
                name=f"村{i:02d}",
                code=f"X{i:04d}",
                level=RegionLevel.VILLAGE,
                parent=world.other_town,
            )
            GridStation.objects.create(name=f"驿站{i}", region=village)
            RegionResponsibility.objects.create(
                region=village, person=person, duty=RegionDuty.SECRETARY
            )

    grow(0, 3)
    children = reverse("registry:region-children", args=[world.other_town.pk])
    urls = [
        TREE,
        f"{TREE}?at={world.grid.pk}",
        ENTERPRISES,
        PEOPLE,
        HOUSEHOLDS,
        f"{ORGS}?kind=department",
    ]
    client.force_login(world.dispatcher)
    few = {url: _queries(client, url) for url in urls}
    with CaptureQueriesContext(connection) as fragment:
        client.get(children, headers={"HX-Request": "true"})
    grow(3, 30)
    many = {url: _queries(client, url) for url in urls}
    assert few == many
    with CaptureQueriesContext(connection) as fragment_many:
        body = client.get(children, headers={"HX-Request": "true"}).content.decode()
    assert "村29" in body and "驿站29" in body
    assert len(fragment.captured_queries) == len(fragment_many.captured_queries)
    assert len(client.get(PEOPLE).context["page"].object_list) == 30


@pytest.mark.parametrize(
    "url",
    [
        f"{TREE}?at=99999999999999999999",
        f"{TREE}?at=²",
        f"{ORGS}?kind=%00&q=%00",
        f"{ENTERPRISES}?q=%00&industry=%00&park=%00",
        f"{PEOPLE}?q=%00&region=%00&page=x",
        f"{HOUSEHOLDS}?tag=%00&region=%00",
    ],
)
def test_hostile_query_values_never_crash_the_registry(world, client, url):
    client.force_login(world.admin)
    assert client.get(url).status_code == 200
