"""The briefing's 每月一题 section: the period's themes with their lead unit, milestones done and
cases closed, frozen in the figures and written in both files and on the page; a town's
briefing lists only the themes of its places."""

from __future__ import annotations

import io
from datetime import date

import pytest
import time_machine
from django.urls import reverse

from briefings import services
from briefings.models import Briefing, BriefingStatus
from cases.models import Status
from cases.tests.helpers import local
from cases.tests.world import make_user
from people.models import Role
from themes import services as themes

pytestmark = pytest.mark.django_db

MARCH = local(2026, 3, 10, 9, 30)
APRIL = local(2026, 4, 2, 10)


@pytest.fixture
def theme(world):
    with time_machine.travel(MARCH, tick=False):
        closed = world.in_status(Status.CLOSED)
        world.assigned()
        made = themes.create_theme(
            actor=world.dispatcher,
            month=202603,
            title="浔中村路灯治理",
            lead_unit=world.dept,
            co_units=[world.other_dept],
            place=world.village,
            category=world.category(),
            milestones=[
                themes.MilestonePlan("排查线路", date(2026, 3, 20)),
                themes.MilestonePlan("更换灯具", date(2026, 3, 31)),
            ],
            activate=True,
            include_from=202603,
        )
        themes.complete_milestone(made.milestones.first(), actor=world.handler, note="已排查")
    assert closed in made.cases.all()
    return made


def made(user, region=None) -> Briefing:
    with time_machine.travel(APRIL, tick=False):
        briefing = services.request_briefing(actor=user, kind="month", month=202603, region=region)
        return services.make_briefing(briefing)


LINE = (
    "1. 浔中村路灯治理（2026年3月，推进中；牵头单位：人社局；协办单位：市场监管局）："
    "节点任务完成1/2，涵盖事项2件、已办结1件，按期办结率50.0%，满意率100.0%。"  # the open one is past its deadline
)


def test_the_section_is_frozen_in_the_figures_and_written_in_both_files(world, theme, client):
    from docx import Document

    briefing = made(world.leader)
    assert briefing.status == BriefingStatus.READY, briefing.error
    [line] = briefing.figures["themes"]
    assert line["title"] == "浔中村路灯治理" and line["lead_unit"] == "人社局"
    assert (line["milestones_done"], line["milestones_total"]) == (1, 2)
    assert (line["cases_closed"], line["cases_total"]) == (1, 2)
    text = "\n".join(p.text for p in Document(io.BytesIO(briefing.docx.read())).paragraphs)
    assert "五、每月一题" in text and LINE in text and "六、下步工作" in text
    assert briefing.pdf.read().startswith(b"%PDF")
    client.force_login(world.leader)
    page = client.get(reverse("briefings:detail", args=[briefing.pk])).content.decode()
    assert "五、每月一题" in page and LINE in page


def test_a_town_briefing_lists_only_its_places_themes(world, theme):
    town2 = make_user("town2_leader", Role.LEADER, region=world.other_town)
    briefing = made(town2, region=world.other_town)
    assert briefing.figures["themes"] == []
    from docx import Document

    text = "\n".join(p.text for p in Document(io.BytesIO(briefing.docx.read())).paragraphs)
    assert "本期未确定每月一题。" in text
    assert made(world.leader, region=world.town).figures["themes"][0]["id"] == theme.pk
