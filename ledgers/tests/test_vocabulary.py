"""Suggesting Lianxin's fields and values for an office's own ledger headers and words."""

import pytest

from ledgers.vocabulary import (
    DETAILS,
    IGNORE,
    MappingProfile,
    normalise,
    suggest_columns,
    suggest_value,
)

# Header rows as real offices spell them, with the field each column should get.
LEDGERS = {
    "12345 work-order export": [
        ("序号", IGNORE),
        ("工单编号", "number"),
        ("来电时间", "reported_at"),
        ("来电人", "requester_name"),
        ("来电号码", "requester_phone"),
        ("诉求类型", "category"),
        ("诉求内容", "description"),
        ("承办单位", "lead_unit"),
        ("协办单位", "co_units"),
        ("派单时间", "assigned_at"),
        ("办理时限（工作日）", "deadline"),
        ("答复时间", "answered_at"),
        ("办理结果", "answer"),
        ("办理状态", "status"),
        ("回访满意度", "satisfaction"),
        ("来源渠道", "channel"),
    ],
    "矛盾纠纷排查化解台账": [
        ("序 号", IGNORE),
        ("*排查时间", "reported_at"),
        ("所属镇（街道）", "town"),
        ("村（社区）", "village"),
        ("当事人", "requester_name"),
        ("对方当事人", "other_party"),
        ("纠纷类型", "category"),
        ("纠纷简要情况", "description"),
        ("风险等级", "risk_level"),
        ("调处单位", "lead_unit"),
        ("调处责任人", "handler"),
        ("化解时限", "deadline"),
        ("调处情况", "answer"),
        ("是否化解\n（是/否）", "status"),
        ("备注", DETAILS),
    ],
    "人民调解案件登记": [
        ("案号", "number"),
        ("登记日期", "reported_at"),
        ("申请人", "requester_name"),
        ("联系电话", "requester_phone"),
        ("被申请人", "other_party"),
        ("简要案情", "description"),
        ("调解员", "handler"),
        ("调解结果", "mediation_outcome"),
        ("涉及金额（元）", None),
    ],
    "安全隐患排查整改台账": [
        ("序号", IGNORE),
        ("检查时间", "reported_at"),
        ("企业名称", "enterprise"),
        ("隐患地点", "address"),
        ("隐患类别", "category"),
        ("隐患描述", "description"),
        ("隐患等级", "risk_level"),
        ("整改责任单位", "lead_unit"),
        ("整改责任人", "handler"),
        ("整改时限", "deadline"),
        ("整改情况", "answer"),
        ("整改完成时间", "answered_at"),
        ("是否销号", "status"),
        ("销号时间", "closed_at"),
    ],
    "企业诉求台账": [
        ("＊受理编号", "number"),
        ("受理时间：", "reported_at"),
        ("企业名称", "enterprise"),
        ("联系人", "requester_name"),
        ("手机号码", "requester_phone"),
        ("问题类别", "category"),
        ("问题描述", "description"),
        ("责任单位", "lead_unit"),
        ("配合单位", "co_units"),
        ("交办时间", "assigned_at"),
        ("办结时限", "deadline"),
        ("办结时间", "answered_at"),
        ("答复内容", "answer"),
        ("是否办结", "status"),
        ("企业评价", "satisfaction"),
        ("紧急程度", "priority"),
    ],
    "走访台账": [
        ("编号", "number"),
        ("走访时间", "reported_at"),
        ("乡镇", "town"),
        ("所在村", "village"),
        ("群众姓名", "requester_name"),
        ("详细地址", "address"),
        ("反映内容", "description"),
        ("来源", "channel"),
        ("处理结果", "answer"),
        ("群众评价", "satisfaction"),
    ],
}


@pytest.mark.parametrize("kind", LEDGERS)
def test_each_kind_of_ledger_maps_its_headers_to_the_right_fields(kind):
    headers = [name for name, _ in LEDGERS[kind]]
    got = {s.column: s.field for s in suggest_columns(headers)}
    assert got == {name: expected for name, expected in LEDGERS[kind]}


@pytest.mark.parametrize("kind", LEDGERS)
def test_no_field_is_suggested_for_two_columns(kind):
    fields = [s.field for s in suggest_columns([n for n, _ in LEDGERS[kind]])]
    real = [f for f in fields if f not in (None, IGNORE, DETAILS)]
    assert len(real) == len(set(real))


def test_headers_are_normalised_before_they_are_compared():
    assert normalise(" *所属镇（街道）\n") == "所属镇"
    assert normalise("办理时限(天)：") == "办理时限"
    assert normalise("ＡＢＣ １２") == "abc12"
    assert normalise("受理日期") == normalise("受理时间")
    suggestion = suggest_columns(["* 来 电\n时 间 ："])[0]
    assert (suggestion.field, suggestion.score) == ("reported_at", 1.0)


def test_a_known_spelling_scores_one_and_a_near_one_less():
    exact, inside, near = suggest_columns(["受理时间", "实际整改完成时间", "诉求人名字"])
    assert exact.score == 1.0
    assert inside.field == "answered_at" and 0.6 <= inside.score < 1.0
    assert near.field == "requester_name" and 0.6 <= near.score < 1.0


def test_the_better_column_wins_a_field_and_the_other_takes_its_next_choice_or_none():
    first, second = suggest_columns(["办结时间", "实际办结时间"])
    assert first.field == "answered_at" and first.score == 1.0
    assert second.field is None and second.kept_in_details
    assert ("answered_at", second.alternatives[0][1]) == second.alternatives[0]
    a, b = suggest_columns(["受理时间", "受理日期"])
    assert a.field == "reported_at" and b.field is None


def test_alternatives_are_at_most_three_and_never_the_chosen_field():
    for suggestion in suggest_columns(["受理时间", "承办单位", "奇怪的列"]):
        assert len(suggestion.alternatives) <= 3
        assert suggestion.field not in [f for f, _ in suggestion.alternatives]


def test_an_unknown_column_is_kept_in_details():
    unknown, remark = suggest_columns(["涉及人数（人）", "备注"])
    assert unknown.field is None and unknown.score == 0.0
    assert unknown.kept_in_details and unknown.label == "保留在扩展信息"
    assert remark.field == DETAILS and remark.kept_in_details


def test_many_columns_may_be_ignored_or_kept_in_details():
    fields = [s.field for s in suggest_columns(["序号", "序 号", "备注", "备注（其他）"])]
    assert fields == [IGNORE, IGNORE, DETAILS, DETAILS]


@pytest.mark.parametrize(
    ("field", "word", "target"),
    [
        ("status", "已办结", "closed"),
        ("status", "办结", "closed"),
        ("status", "已完成", "closed"),
        ("status", "已销号", "closed"),
        ("status", "销号", "closed"),
        ("status", "办理中", "in_progress"),
        ("status", "正在办理", "in_progress"),
        ("status", "未办结", "in_progress"),
        ("status", "未销号", "in_progress"),
        ("status", "整改中", "in_progress"),
        ("status", "已答复", "answered"),
        ("status", "已回复", "answered"),
        ("status", "不予受理", "rejected"),
        ("status", "退回", "rejected"),
        ("status", "是", "closed"),
        ("status", "否", "in_progress"),
        ("satisfaction", "满意", "satisfied"),
        ("satisfaction", "非常满意", "satisfied"),
        ("satisfaction", "很满意", "satisfied"),
        ("satisfaction", "基本满意", "basic"),
        ("satisfaction", "一般", "basic"),
        ("satisfaction", "较满意", "basic"),
        ("satisfaction", "不满意", "unsatisfied"),
        ("satisfaction", "很不满意", "unsatisfied"),
        ("satisfaction", "未回访", ""),
        ("satisfaction", "联系不上", ""),
        ("mediation_outcome", "调解成功", "success"),
        ("mediation_outcome", "成功", "success"),
        ("mediation_outcome", "已化解", "success"),
        ("mediation_outcome", "化解", "success"),
        ("mediation_outcome", "调解不成", "failed"),
        ("mediation_outcome", "未化解", "failed"),
        ("mediation_outcome", "失败", "failed"),
        ("mediation_outcome", "转诉讼", "referred"),
        ("mediation_outcome", "转仲裁", "referred"),
        ("mediation_outcome", "引导诉讼", "referred"),
        ("mediation_outcome", "终止", "terminated"),
        ("priority", "一般", "normal"),
        ("priority", "三级", "normal"),
        ("priority", "较大", "important"),
        ("priority", "2级", "important"),
        ("priority", "重大", "urgent"),
        ("priority", "紧急", "urgent"),
        ("priority", "一级", "urgent"),
        ("risk_level", "一般隐患", "low"),
        ("risk_level", "低", "low"),
        ("risk_level", "二级", "medium"),
        ("risk_level", "重大隐患", "high"),
        ("risk_level", "特别重大", "high"),
        ("channel", "12345", "hotline"),
        ("channel", "热线", "hotline"),
        ("channel", "来电", "hotline"),
        ("channel", "来访", "walk_in"),
        ("channel", "窗口", "walk_in"),
        ("channel", "网格员上报", "grid"),
        ("channel", "摸排", "grid"),
        ("channel", "走访", "visit"),
        ("channel", "小程序", "web"),
        ("channel", "上级交办", "transfer"),
        ("channel", "转办", "transfer"),
        ("channel", "会议", "meeting"),
        ("channel", "屋场夜话", "evening_meeting"),
    ],
)
def test_a_known_word_maps_to_its_value(field, word, target):
    suggestion = suggest_value(field, word)
    assert (suggestion.target, suggestion.score) == (target, 1.0)


def test_a_request_for_extension_stays_in_progress_and_is_flagged():
    for word in ("延期", "申请延期"):
        suggestion = suggest_value("status", word)
        assert suggestion.target == "in_progress" and suggestion.extension
    assert not suggest_value("status", "办理中").extension


def test_a_word_holding_a_known_one_takes_the_longest():
    assert suggest_value("satisfaction", "  非常 不满意！").target == "unsatisfied"
    assert suggest_value("status", "已于3月5日办结").target == "closed"
    assert suggest_value("mediation_outcome", "调解不成功，引导诉讼").score < 1.0


def test_an_unknown_word_has_no_target_so_the_user_is_asked():
    for field, word in [("status", "哈哈"), ("channel", "xyz"), ("nope", "满意"), ("status", "")]:
        suggestion = suggest_value(field, word)
        assert (suggestion.target, suggestion.score) == (None, 0.0)


def test_a_profile_round_trips_through_json_and_reads_later_ledgers():
    profile = MappingProfile.from_suggestions(
        suggest_columns(["工单编号", "办理状态", "奇怪列"]), name="县12345导出"
    )
    profile.values["status"] = {"待审核": "answered"}
    again = MappingProfile.from_json(profile.to_json())
    assert again == profile
    assert again.columns == {"工单编号": "number", "办理状态": "status", "奇怪列": DETAILS}
    assert again.field_for("*工单编号 ") == "number"
    assert again.field_for("新列") == DETAILS
    assert again.value_for("status", "待审核") == "answered"
    assert again.value_for("status", "已办结") == "closed"
    assert again.value_for("status", "不知道") is None


def test_a_profile_with_an_unknown_field_is_refused():
    with pytest.raises(ValueError, match="unknown fields"):
        MappingProfile.from_json('{"version": 1, "columns": {"x": "nope"}}')
    with pytest.raises(ValueError):
        MappingProfile.from_json('{"version": 9}')
