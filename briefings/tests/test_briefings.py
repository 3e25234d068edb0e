"""The work briefing: made from the engine's cases under a controlled clock, its numbers equal
the dashboard's for the same months and each opens exactly the cases it counts; both files are
written and readable; the template is the office's and is checked; scope holds."""

from __future__ import annotations

import io
from datetime import datetime
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from briefings import figures as fig
from briefings import services
from briefings.models import Briefing, BriefingEvent, BriefingStatus, BriefingTemplate
from cases import services as moves
from cases.models import Case, Satisfaction
from cases.scope import visible_cases
from cases.tests.world import make_user
from people.models import Role
from stats import metrics

TZ = ZoneInfo("Asia/Shanghai")
MARCH = datetime(2026, 3, 10, 9, 30, tzinfo=TZ)
APRIL = datetime(2026, 4, 2, 10, 0, tzinfo=TZ)


def at(moment: datetime) -> time_machine.travel:
    return time_machine.travel(moment, tick=False)


@pytest.fixture
def march(world):
    """March 2026: two on the spot, three answered and visited (one unsatisfied, reopened), one
    still open past its deadline by April; one February case for 环比."""
    with at(datetime(2026, 2, 10, 9, 0, tzinfo=TZ)):
        world.report(title="二月的诉求")
    with at(MARCH):
        for title in ("楼道灯坏", "井盖松动"):
            moves.resolve_on_spot(
                world.report(title=title),
                actor=world.grid_worker,
                answer="网格员当场联系物业更换灯泡并复位井盖，现场确认已恢复正常，群众表示满意。",
            )
        for passed in (True, True, False):
            world.verified(passed=passed)
        world.assigned(title="排水沟堵塞")
    with at(APRIL):
        unhappy = Case.objects.get(visit_satisfaction=Satisfaction.UNSATISFIED)
        moves.reopen_case(unhappy, actor=world.dispatcher, reason="群众不满意，重新办理。")
        good = Case.objects.filter(visit_satisfaction=Satisfaction.SATISFIED).first()
        assert good is not None
        moves.close_case(good, actor=world.dispatcher)
    return world


def made(world, user=None, **kwargs) -> Briefing:
    with at(APRIL):
        briefing = services.request_briefing(
            actor=user or world.leader, kind=kwargs.pop("kind", "month"), month=202603, **kwargs
        )
        return services.make_briefing(briefing)


def test_a_month_briefing_equals_the_dashboard_and_its_numbers_open_their_cases(march, client):
    briefing = made(march)
    assert briefing.status == BriefingStatus.READY, briefing.error
    numbers = briefing.figures["numbers"]
    with at(APRIL):
        dashboard = metrics.totals(
            metrics.filter_cases(visible_cases(march.leader), months=(202603, 202603))
        )
    for name in metrics.COUNTS:
        assert numbers[name]["value"] == getattr(dashboard, name), name
    for name in fig.RATE_FIELDS:
        assert numbers[name]["value"] == getattr(dashboard, name), name
    assert numbers["received"]["value"] == 6
    assert numbers["on_spot"]["value"] == 2
    assert numbers["reopened"]["value"] == 1
    assert numbers["received_mom"]["text"] == "上升500.0%"

    # Each count opens exactly its cases in the case list (the leader's own view).
    client.force_login(march.leader)
    with at(APRIL):
        for name in ("received", "on_spot", "closed", "valid_visits", "unsatisfied", "reopened"):
            params = numbers[name]["params"]
            response = client.get(f"{reverse('caseviews:case-list')}?{urlencode(params)}")
            assert response.status_code == 200
            listed = response.context["page"].paginator.count
            assert listed == numbers[name]["value"], name


def test_both_files_say_the_same_with_links(march):
    from docx import Document

    briefing = made(march)
    document = Document(io.BytesIO(briefing.docx.read()))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "2026年3月" in briefing.title
    assert "当场回应解决" in text and "一、总体情况" in text and "四、存在问题" in text
    links = [r for r in document.part.rels.values() if "hyperlink" in r.reltype]
    assert any("metric=on_spot" in r.target_ref for r in links)
    assert len(document.inline_shapes) == 2  # the two charts
    pdf = briefing.pdf.read()
    assert pdf.startswith(b"%PDF") and b"/URI" in pdf
    assert BriefingEvent.objects.filter(briefing=briefing, kind="generated").count() == 1


def test_a_quarter_covers_three_months(march):
    briefing = made(march, kind="quarter")
    assert (briefing.first_month, briefing.last_month) == (202601, 202603)
    assert briefing.figures["numbers"]["received"]["value"] == 7
    assert "第一季度" in briefing.title


def test_the_office_template_is_used_and_checked(march):
    BriefingTemplate.objects.create(
        name="德化县",
        is_default=True,
        title="{{ scope }}{{ period }}民情简报",
        summary="共汇总民情反馈问题{{ received_approx }}个，当场回应解决{{ on_spot }}个。",
    )
    briefing = made(march)
    parts = briefing.figures["texts"]["summary"]
    assert (
        fig.plain(parts, briefing.figures["numbers"]) == "共汇总民情反馈问题6个，当场回应解决2个。"
    )
    with pytest.raises(fig.TemplateError, match="不存在的数据项"):
        fig.check_template("受理{{ recieved }}件")
    with pytest.raises(fig.TemplateError, match="语法"):
        fig.check_template("{% if %}")


@pytest.mark.parametrize(
    ("count", "words"), [(497, "近500"), (383, "380余"), (12, "12"), (400, "400"), (58, "50余")]
)
def test_approximate_words(count, words):
    assert fig.approx(count) == words


def test_scope_a_town_officer_sees_only_his_places(march, client):
    officer = make_user("town_officer", Role.DISPATCHER, region=march.town)
    with pytest.raises(Exception, match="范围"):
        made(march, user=officer, region=march.other_town)
    own = made(march, user=officer, region=march.town)
    county = made(march)
    client.force_login(officer)
    assert client.get(reverse("briefings:detail", args=[own.pk])).status_code == 200
    assert client.get(reverse("briefings:detail", args=[county.pk])).status_code == 404
    assert client.get(reverse("briefings:file", args=[county.pk, "pdf"])).status_code == 404
    response = client.get(reverse("briefings:file", args=[own.pk, "docx"]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    client.force_login(march.grid_worker)
    assert client.get(reverse("briefings:list")).status_code == 403


def test_the_page_asks_for_a_briefing_and_shows_it(
    march, client, django_capture_on_commit_callbacks
):
    client.force_login(march.leader)
    with at(APRIL), django_capture_on_commit_callbacks(execute=False):
        response = client.post(
            reverse("briefings:list"), {"kind": "month", "month": "202603", "region": ""}
        )
    briefing = Briefing.objects.get()
    assert response.status_code == 302
    assert briefing.status == BriefingStatus.PENDING
    assert (
        "正在生成" in client.get(reverse("briefings:detail", args=[briefing.pk])).content.decode()
    )
    with at(APRIL):
        services.make_briefing(briefing)
    page = client.get(reverse("briefings:detail", args=[briefing.pk])).content.decode()
    assert "下载 Word" in page and "排名方法" in page
    assert 'data-key="on_spot"' in page
    bad = client.post(reverse("briefings:list"), {"kind": "year", "month": "209912"})
    assert bad.status_code == 200 and Briefing.objects.count() == 1


def test_the_tables_open_their_cases_too(march, client):
    """The comparison table's rates and the ranking's counts and rates link their cases."""
    from briefings import render

    briefing = made(march)
    data = briefing.figures
    numbers = data["numbers"]
    _head, comparison = render.comparison_table(data)
    _head, ranking = render.ranking_table(data)
    site = render.site_url("")
    client.force_login(march.leader)

    def listed(url: str) -> int:
        with at(APRIL):
            response = client.get(url.removeprefix(site))
        assert response.status_code == 200
        return response.context["page"].paginator.count

    on_spot = next(row for row in comparison if row[0][0] == "当场办结率")
    assert listed(on_spot[1][1]) == numbers["on_spot"]["value"] == 2
    # The period before (February: one case, not on the spot) and a year before (none).
    assert "month=202602" in on_spot[2][1] and on_spot[2][0] == "0.0%"
    assert listed(on_spot[2][1]) == 0
    assert "month=202503" in on_spot[3][1] and listed(on_spot[3][1]) == 0
    unit = ranking[0]
    assert unit[1][0] == "人社局"
    assert listed(unit[2][1]) == int(unit[2][0])
    assert listed(unit[3][1]) == int(unit[3][0])
    assert unit[6][1] is not None and unit[7][1] is not None
