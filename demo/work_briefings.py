"""The county's briefing template in the words of the seeds (德化县 民情服务), and last month's
work briefing (工作简报) made by the leader through the services, as the office would on the
first working days of a month."""

from __future__ import annotations

from datetime import datetime

from briefings import services
from briefings.models import Briefing, BriefingTemplate
from briefings.scope import regions_for
from demo.county import County

TEMPLATE = {
    "name": "德化县民情服务工作简报",
    "title": "{{ scope }}{{ period }}民情服务工作简报",
    "issuer": "中共德化县委办公室 德化县12345便民服务中心",
    "summary": (
        "{{ period }}，{{ scope }}通过屋场会、走访、网格员上报和12345热线等渠道，"
        "共汇总民情反馈问题{{ received_approx }}个，当场回应解决{{ on_spot_approx }}个"
        "（当场办结率{{ on_spot_rate }}），其余问题逐一研究交办、限期办理。"
        "已办结销号{{ closed }}件，按期办结率{{ on_time_rate }}；回访群众{{ valid_visits }}人次，"
        "响应率{{ response_rate }}、解决率{{ resolution_rate }}、满意率{{ satisfaction_rate }}。"
        "累计排查矛盾纠纷{{ disputes }}起、成功调处{{ mediation_success }}起，"
        "调处成功率{{ mediation_success_rate }}。受理量环比{{ received_mom }}，同比{{ received_yoy }}。"
    ),
    "ranking_note": (
        "各承办单位按综合得分排名，得分按有效回访件数向全县平均值收缩，件数过少的单位不参与排名。"
    ),
    "typical_intro": "以下案例办结销号、群众满意、答复具体，供各镇各部门学习借鉴。",
    "problems_intro": (
        "当前仍有超期未办结{{ overdue_now }}件、回访不满意{{ unsatisfied }}件、"
        "重办{{ reopened }}件，请相关单位对照清单限期整改，整改情况报县委办督查室。"
    ),
    "closing": (
        "下一步，各镇各部门要坚持“收集—交办—办理—反馈—销号”闭环，"
        "对超期和不满意事项逐件跟踪，确保事事有回音、件件有落实。"
    ),
}


def _previous_month(now: datetime) -> int:
    year, month = now.year, now.month - 1
    if month == 0:
        year, month = year - 1, 12
    return year * 100 + month


def load_work_briefings(county: County, now: datetime) -> Briefing:
    """The default template, then last month's briefing over the whole county, made at once
    (in the demo's transaction, so the page has it without waiting for the worker)."""
    template, _created = BriefingTemplate.objects.get_or_create(
        name=TEMPLATE["name"], defaults={**TEMPLATE, "is_default": True}
    )
    leader = county.users["leader"]
    regions = regions_for(leader)
    briefing = services.request_briefing(
        actor=leader,
        kind="month",
        month=_previous_month(now),
        region=regions[0] if regions else None,
        template=template,
    )
    return services.make_briefing(briefing, now=now)
