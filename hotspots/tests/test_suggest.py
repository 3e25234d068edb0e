"""The suggester learns the office's own closed cases: trained on a small set made by the
engine it names the obvious category and unit first, stores its file and description, and
refuses to train on too little."""

from __future__ import annotations

from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from cases import services as moves
from cases.models import Satisfaction
from hotspots import suggest
from hotspots.models import SuggesterModel

TZ = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 3, 2, 9, 0, tzinfo=TZ)

LIGHTS = [
    ("路灯不亮", "小区门口路灯坏了，晚上一片漆黑"),
    ("路灯损坏", "村道路灯不亮已经一周"),
    ("路灯闪烁", "主街路灯一直闪烁，请维修"),
    ("路灯不亮", "桥头两盏路灯不亮，夜间出行不便"),
    ("路灯故障", "学校旁边路灯晚上不亮"),
    ("路灯维修", "广场路灯坏了很久没人修"),
]
WAGES = [
    ("拖欠工资", "工厂老板拖欠三个月工资不发"),
    ("讨要工资", "陶瓷厂拖欠农民工工资"),
    ("工资拖欠", "工地包工头拖欠工资两个月"),
    ("欠薪", "公司欠薪半年，工人讨薪无门"),
    ("拖欠工资", "离职后公司一直拖欠工资"),
    ("工资未发", "老板拖欠工资，请劳动部门处理"),
]


@pytest.fixture
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    suggest._loaded.clear()
    return tmp_path


def closed(world, title: str, description: str, category, unit, handler):
    case = world.report(title=title, description=description)
    case = moves.triage_case(case, actor=world.dispatcher, category=category)
    case = moves.assign_case(case, actor=world.dispatcher, lead_unit=unit)
    case = moves.accept_case(case, actor=handler)
    case = moves.answer_case(
        case, actor=handler, answer="已安排人员到现场处理，问题已经解决，并向群众作了说明。"
    )
    case = moves.return_visit(
        case,
        actor=world.dispatcher,
        reached=True,
        contacted=True,
        resolved=True,
        satisfaction=Satisfaction.SATISFIED,
    )
    return moves.close_case(case, actor=world.dispatcher)


@pytest.fixture
def trained_world(world, var_dir):
    lights, wages = world.types["resident_issue"].categories.order_by("code")[:2]
    moment = START
    for (lt, ld), (wt, wd) in zip(LIGHTS, WAGES, strict=True):
        with time_machine.travel(moment, tick=False):
            closed(world, lt, ld, lights, world.other_dept, world.other_handler)
            closed(world, wt, wd, wages, world.dept, world.handler)
        moment += timedelta(days=1)
    world.lights, world.wages = lights, wages
    return world


def test_trained_on_a_small_set_it_names_the_obvious_class(trained_world, var_dir):
    with time_machine.travel(START + timedelta(days=10), tick=False):
        row = suggest.train(actor=trained_world.admin)
    assert row.cases_used == 12 and row.evaluated_on == 2
    assert (var_dir / "suggester" / row.file).is_file()
    assert row.category_accuracy is not None and 0 <= row.category_accuracy <= 1

    found = suggest.suggest("菜市场旁边的路灯不亮了")
    assert found.model == row
    assert found.categories[0][0] == trained_world.lights
    assert found.categories[0][1] > 0.5
    assert found.units[0][0] == trained_world.other_dept
    assert len(found.categories) == 2  # only two classes were seen

    wages = suggest.suggest("老板拖欠我们的工资")
    assert wages.categories[0][0] == trained_world.wages
    assert wages.units[0][0] == trained_world.dept
    probabilities = [p for _, p in wages.categories]
    assert probabilities == sorted(probabilities, reverse=True)

    # Restricted to another case type, the categories of this one are left out.
    other_type = trained_world.types["enterprise_demand"]
    assert suggest.suggest("路灯不亮", case_type_id=other_type.pk).categories == []


def test_too_few_closed_cases_are_refused(world, var_dir):
    with pytest.raises(ValidationError) as error:
        suggest.train()
    assert "至少需要" in str(error.value)
    with pytest.raises(CommandError):
        call_command("train_suggester", stdout=StringIO())
    assert not SuggesterModel.objects.exists()


def test_before_training_or_without_the_file_there_is_nothing_to_suggest(trained_world, var_dir):
    assert suggest.suggest("路灯不亮").model is None
    out = StringIO()
    with time_machine.travel(START + timedelta(days=10), tick=False):
        call_command("train_suggester", stdout=out)
    assert "已训练：12 件" in out.getvalue()
    row = SuggesterModel.objects.get()
    (var_dir / "suggester" / row.file).unlink()
    suggest._loaded.clear()
    found = suggest.suggest("路灯不亮")
    assert found.model is None and found.categories == []
    assert suggest.suggest("   ").categories == []


def test_fit_measures_on_the_newest_fifth():
    rows = [suggest.Sample(f"路灯 不亮 {i}", 1, 7) for i in range(8)] + [
        suggest.Sample(f"拖欠 工资 {i}", 2, 8) for i in range(8)
    ]
    rows.sort(key=lambda r: r.text[-1])  # interleaved, as months of cases are
    fitted = suggest.fit(rows)
    assert fitted.cases_used == 16 and fitted.evaluated_on == 3
    assert fitted.category_accuracy == 1.0 and fitted.unit_accuracy == 1.0
