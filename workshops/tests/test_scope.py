from cases.tests.world import make_user
from orgs.models import Organisation, OrgKind
from people.models import Role
from workshops import scope, selectors


def ids(qs):
    return {x.pk for x in qs}


def test_who_sees_which_workshops(ws, world):
    both = {ws.shop.pk, ws.other_shop.pk}
    assert ids(selectors.workshops(ws.org_dept)) == both
    assert ids(selectors.workshops(world.dispatcher)) == both  # county dispatcher
    assert ids(selectors.workshops(world.leader)) == both
    assert ids(selectors.workshops(ws.town_dispatcher)) == {ws.shop.pk}
    assert ids(selectors.workshops(ws.lead)) == {ws.shop.pk}
    assert ids(selectors.workshops(world.other_grid_worker)) == {ws.other_shop.pk}


def test_who_opens_the_pages(ws, world):
    assert scope.may_open(ws.lead) and scope.may_open(ws.org_dept)
    assert not scope.may_open(world.handler)  # another department's staff
    assert not scope.may_open(world.outsider)
    assert not scope.may_write(world.leader)


def test_postings_scope(ws, world):
    assert ids(selectors.postings(ws.town_dispatcher)) == {ws.posting.pk}
    assert ids(selectors.postings(ws.lead)) == {ws.posting.pk}
    assert ids(selectors.postings(world.other_grid_worker)) == set()


def test_contact_decides_masking(ws, world):
    ws.disabled.refresh_from_db()
    assert scope.may_contact(ws.town_dispatcher, ws.disabled)
    assert not scope.may_contact(ws.org_dept, ws.disabled)
    assert not scope.may_contact(world.other_grid_worker, ws.disabled)


def test_town_government_staff_read_their_town(ws, world):
    gov = Organisation.objects.create(
        kind=OrgKind.TOWN_GOVERNMENT, name="龙浔镇人民政府", region=world.other_town
    )
    staff = make_user("longxun_gov", Role.DEPT_HANDLER, organisation=gov)
    assert ids(selectors.workshops(staff)) == {ws.other_shop.pk}
    assert scope.may_write(staff)
    assert not scope.may_contact(staff, ws.far)  # reads the workshop, not the people


def test_workshop_role_holder_reads_their_workshop(ws, world):
    holder = make_user("shop_staff", Role.DEPT_HANDLER, organisation=ws.other_shop.organisation)
    assert ids(selectors.workshops(holder)) == {ws.other_shop.pk}
    assert ids(selectors.postings(holder)) == set()
