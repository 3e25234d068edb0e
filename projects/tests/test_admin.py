"""The admin reads projects with their milestones and log; one added there is made by the
service, with the standard milestones and its event."""

from __future__ import annotations

from django.urls import reverse

from projects.models import Project, ProjectEvent
from projects.services import STANDARD_MILESTONES
from projects.tests.factories import make_project


def test_the_admin_lists_and_shows_a_project_read_only(world, client):
    project = make_project(world)
    client.force_login(world.admin)
    assert project.name in client.get(reverse("admin:projects_project_changelist")).content.decode()
    page = client.get(reverse("admin:projects_project_change", args=[project.pk]))
    body = page.content.decode()
    assert page.status_code == 200 and "土地摘牌" in body and 'name="name"' not in body
    assert client.get(reverse("admin:projects_projectevent_changelist")).status_code == 200


def test_a_project_added_in_the_admin_goes_through_the_service(world, client):
    client.force_login(world.admin)
    data = {
        "name": "陶瓷窑炉智能控制系统项目",
        "enterprise": world.enterprise.pk,
        "region": world.town.pk,
        "investment": "6000",
        "signed_on": "2020-05-06",
        "owner_unit": world.chain_committee.pk,
        "commissioner": "",
    }
    response = client.post(reverse("admin:projects_project_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    project = Project.objects.get(name="陶瓷窑炉智能控制系统项目")
    assert project.milestones.count() == len(STANDARD_MILESTONES)
    assert ProjectEvent.objects.get(project=project).actor == world.admin
    bad = client.post(reverse("admin:projects_project_add"), {**data, "investment": "0"})
    assert bad.status_code == 200 and "计划投资须为大于 0 的数（万元）。" in bad.content.decode()
