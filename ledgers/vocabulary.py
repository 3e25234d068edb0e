"""An office's own ledger words, read as Lianxin's fields and values.

Offices keep their ledgers (台账) in their own spreadsheets: a 12345 work-order export, a
矛盾纠纷排查化解台账, a 人民调解案件登记表, a 安全隐患排查整改台账, an 企业诉求台账, a 走访台账.
Each names the same things differently. This module suggests, never decides: the import
wizard shows every suggestion with its score and the user confirms or corrects it, and the
confirmed choice is kept as a :class:`MappingProfile` for the office's next ledger.

Pure: no database, no request. The target values are those of ``cases.models``.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any

from django.utils.translation import gettext_lazy as _

from cases.models import Channel, MediationOutcome, Priority, RiskLevel, Satisfaction, Status

# Pseudo-fields: a column that carries nothing to keep (序号), and one kept as free text in the
# case's extension data (备注, and every column no field claims).
IGNORE = "ignore"
DETAILS = "details"

# A suggestion at or above this is filled in for the user; below it the column is left for the
# user to choose and its alternatives are shown.
AUTO_SCORE = 0.6
MAX_ALTERNATIVES = 3

# The import targets with the headers real ledgers use for them (from public ledger templates
# of each kind). The first spelling is the canonical one; all are exact matches (score 1.0).
# fmt: off
HEADERS: dict[str, tuple[str, ...]] = {
    "number": (
        "编号", "工单编号", "工单号", "受理编号", "案件编号", "案号", "登记编号", "台账编号",
        "诉求编号", "事项编号", "隐患编号", "纠纷编号", "流水号",
    ),
    "reported_at": (
        "受理时间", "登记时间", "来电时间", "反映时间", "排查时间", "发现时间", "检查时间",
        "受理日期", "登记日期", "来电日期", "摸排时间", "走访时间", "诉求时间",
        "申请时间", "收件时间",
    ),
    "requester_name": (
        "诉求人", "来电人", "反映人", "申请人", "当事人", "群众姓名", "诉求人姓名", "来电人姓名",
        "反映人姓名", "申请人姓名", "当事人姓名", "姓名", "联系人", "走访对象",
    ),
    "requester_phone": (
        "联系电话", "来电号码", "手机号码", "电话", "联系方式", "手机号", "诉求人电话",
        "当事人电话", "联系人电话",
    ),
    "title": ("标题", "事项名称", "诉求标题", "工单标题", "问题名称", "隐患名称", "案件名称"),
    "description": (
        "诉求内容", "反映内容", "问题描述", "简要案情", "隐患描述", "纠纷简要情况", "来电内容",
        "工单内容", "事项内容", "纠纷情况", "主要问题", "存在问题", "隐患内容", "问题及诉求",
        "诉求事项", "反映问题", "纠纷事由", "案情简介", "具体诉求",
    ),
    "town": ("所属镇(街道)", "乡镇", "镇街", "所属乡镇", "乡镇(街道)", "镇(街道)", "所属镇街"),
    "village": ("村(社区)", "所在村", "所属村", "村居", "所在村(社区)", "村社区"),
    "address": (
        "地址", "详细地址", "隐患地点", "发生地点", "事发地点", "问题地址", "纠纷发生地",
        "所在地", "地点", "事发地址",
    ),
    "category": (
        "问题类别", "诉求类型", "纠纷类型", "隐患类别", "问题类型", "诉求类别", "事项类别",
        "案件类型", "工单类型", "隐患类型", "纠纷类别", "类别", "分类", "诉求分类", "行业领域",
    ),
    "lead_unit": (
        "承办单位", "责任单位", "主办单位", "调处单位", "整改责任单位", "办理单位", "处置单位",
        "牵头单位", "责任部门", "承办部门", "主办部门", "包案单位",
    ),
    "co_units": ("协办单位", "配合单位", "协办部门", "配合部门", "协助单位"),
    "deadline": (
        "办理时限", "整改时限", "办结时限", "整改期限", "办理期限", "完成时限", "化解时限",
        "要求完成时间", "时限要求",
    ),
    "assigned_at": ("交办时间", "派单时间", "转办时间", "交办日期", "派单日期", "分派时间"),
    "answered_at": (
        "办结时间", "答复时间", "调处时间", "整改完成时间", "办结日期", "回复时间", "化解时间",
        "调解时间", "完成时间", "反馈时间", "处理时间",
    ),
    "closed_at": ("销号时间", "销号日期", "归档时间"),
    "answer": (
        "办理结果", "答复内容", "处理结果", "整改情况", "调处情况", "办理情况", "回复内容",
        "处理情况", "化解情况", "整改措施", "调解情况", "答复意见", "反馈内容", "办理意见",
        "整改落实情况",
    ),
    "status": (
        "是否办结", "办理状态", "办结情况", "是否销号", "是否化解", "工单状态", "状态",
        "整改状态", "是否整改", "是否完成", "化解状态", "完成情况", "是否整改到位", "是否解决",
        "解决情况",
    ),
    "satisfaction": (
        "满意度", "回访满意度", "群众评价", "评价结果", "满意度评价", "回访评价", "回访结果",
        "当事人评价", "企业评价", "回访情况", "群众满意度",
    ),
    "mediation_outcome": ("调处结果", "调解结果", "化解结果", "调解结论", "调处结论"),
    "priority": ("紧急程度", "缓急程度", "优先级", "紧急度"),
    "risk_level": ("风险等级", "隐患等级", "隐患级别", "风险级别", "矛盾等级", "预警等级"),
    "enterprise": ("企业名称", "单位名称", "企业", "企业全称", "诉求企业", "检查对象"),
    "channel": ("来源", "来源渠道", "反映渠道", "信息来源", "诉求来源", "工单来源", "受理方式"),
    "other_party": ("对方当事人", "被申请人", "被反映人", "被投诉人", "对方姓名"),
    "handler": (
        "承办人", "调处责任人", "整改责任人", "责任人", "经办人", "调解员", "包案领导",
        "包案责任人", "办理人", "走访干部", "走访人", "走访人员",
    ),
    IGNORE: ("序号", "序", "No.", "行号"),
    DETAILS: ("备注", "其他", "说明", "附注"),
}
# fmt: on

# Words that, found in an unknown header, hint at a field (the shared-keyword bonus).
KEYWORDS: dict[str, tuple[str, ...]] = {
    "number": ("编号", "号"),
    "reported_at": ("受理", "登记", "来电", "反映", "排查", "发现", "检查", "摸排"),
    "requester_name": ("诉求人", "来电人", "反映人", "申请人", "当事人", "姓名"),
    "requester_phone": ("电话", "手机", "号码"),
    "description": ("内容", "描述", "案情", "情况简", "问题"),
    "town": ("镇", "街道", "乡"),
    "village": ("村", "社区"),
    "address": ("地址", "地点"),
    "category": ("类别", "类型", "分类"),
    "lead_unit": ("承办", "责任单位", "主办", "牵头"),
    "co_units": ("协办", "配合"),
    "deadline": ("时限", "期限"),
    "assigned_at": ("交办", "派单", "转办"),
    "answered_at": ("办结时", "答复时", "完成时"),
    "closed_at": ("销号时",),
    "answer": ("结果", "答复", "措施", "落实"),
    "status": ("是否", "状态"),
    "satisfaction": ("满意", "评价"),
    "mediation_outcome": ("调解结", "调处结"),
    "priority": ("紧急", "缓急"),
    "risk_level": ("等级", "级别"),
    "enterprise": ("企业",),
    "channel": ("来源", "渠道"),
    "other_party": ("对方", "被申请", "被反映"),
    "handler": ("责任人", "承办人", "经办人"),
}

FIELD_LABELS: dict[str, Any] = {
    "number": _("编号"),
    "reported_at": _("受理时间"),
    "requester_name": _("诉求人"),
    "requester_phone": _("联系电话"),
    "title": _("标题"),
    "description": _("诉求内容"),
    "town": _("所属镇（街道）"),
    "village": _("村（社区）"),
    "address": _("详细地址"),
    "category": _("分类"),
    "lead_unit": _("主办单位"),
    "co_units": _("协办单位"),
    "deadline": _("办理期限"),
    "assigned_at": _("交办时间"),
    "answered_at": _("答复时间"),
    "closed_at": _("销号时间"),
    "answer": _("答复内容"),
    "status": _("办理状态"),
    "satisfaction": _("满意度"),
    "mediation_outcome": _("调解结果"),
    "priority": _("紧急程度"),
    "risk_level": _("风险等级"),
    "enterprise": _("企业名称"),
    "channel": _("来源渠道"),
    "other_party": _("对方当事人"),
    "handler": _("承办人"),
    IGNORE: _("忽略"),
    DETAILS: _("保留在扩展信息"),
}

# Pseudo-fields many columns may share; every real field takes at most one column.
_SHARED = frozenset({IGNORE, DETAILS})

_BRACKETS = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】|<[^<>]*>|〔[^〔〕]*〕")
_MARKS = re.compile(r"[\s*※★☆△▲#＊]+")


def normalise(name: Any) -> str:
    """A header or a word as compared: half-width, no spaces or line breaks, no ``*`` marks,
    no bracketed notes or units (（元）, (天), （是/否）), no trailing colon; 日期 reads as 时间."""
    text = unicodedata.normalize("NFKC", "" if name is None else str(name))
    text = _MARKS.sub("", text)
    while True:
        stripped = _BRACKETS.sub("", text)
        if stripped == text:
            break
        text = stripped
    text = text.rstrip(":：.。、").replace("日期", "时间")
    return text.lower()


def _exact_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for target, spellings in HEADERS.items():
        for spelling in spellings:
            index.setdefault(normalise(spelling), target)
    return index


_EXACT = _exact_index()


def _field_score(name: str, target: str) -> float:
    """How well a normalised header names ``target``: 1.0 for a known spelling, then
    containment, then a character-level fuzzy ratio with a bonus for a shared keyword."""
    if not name:
        return 0.0
    best = 0.0
    for spelling in HEADERS[target]:
        known = normalise(spelling)
        if not known:
            continue
        if name == known:
            return 1.0
        if known in name:
            # "实际办结时间" holds "办结时间": the more of the header it covers, the surer.
            best = max(best, 0.7 + 0.25 * len(known) / len(name))
        elif name in known and len(name) >= 2:
            best = max(best, 0.6 + 0.25 * len(name) / len(known))
        else:
            best = max(best, 0.75 * SequenceMatcher(None, name, known).ratio())
    if any(word in name for word in KEYWORDS.get(target, ())):
        best = min(best + 0.15, 0.95)
    return round(best, 3)


@dataclass(frozen=True)
class ColumnSuggestion:
    """The suggested field of one column. ``field`` is None when nothing fits well enough or a
    better column took the field: the column is then kept in the extension data."""

    column: str
    field: str | None
    score: float
    alternatives: tuple[tuple[str, float], ...] = ()

    @property
    def kept_in_details(self) -> bool:
        return self.field is None or self.field == DETAILS

    @property
    def label(self) -> str:
        """What the wizard shows for the suggestion (保留在扩展信息 for a kept column)."""
        return str(FIELD_LABELS[self.field if self.field is not None else DETAILS])


def _ranked(name: str) -> list[tuple[str, float]]:
    normal = normalise(name)
    exact = _EXACT.get(normal)
    scores = [
        (target, 1.0 if target == exact else _field_score(normal, target)) for target in HEADERS
    ]
    scores = [(target, score) for target, score in scores if score > 0]
    return sorted(scores, key=lambda pair: -pair[1])


def suggest_columns(names: Sequence[Any]) -> list[ColumnSuggestion]:
    """One suggestion per column, in the columns' order.

    No real field is suggested for two columns: the better-scoring column wins (the earlier on a
    tie) and the other falls back to its next choice, or to none and is kept in details.
    """
    columns = ["" if name is None else str(name) for name in names]
    ranked = [_ranked(name) for name in columns]
    chosen: dict[int, tuple[str, float]] = {}
    taken: set[str] = set()
    candidates = sorted(
        (
            (-score, index, rank, target)
            for index, choices in enumerate(ranked)
            for rank, (target, score) in enumerate(choices)
            if score >= AUTO_SCORE
        ),
    )
    for negative, index, _rank, target in candidates:
        if index in chosen or (target in taken and target not in _SHARED):
            continue
        chosen[index] = (target, -negative)
        taken.add(target)
    result = []
    for index, column in enumerate(columns):
        field_name, score = chosen[index] if index in chosen else (None, 0.0)
        others = tuple(
            (other, other_score)
            for other, other_score in ranked[index]
            if other != field_name and other not in _SHARED
        )[:MAX_ALTERNATIVES]
        result.append(ColumnSuggestion(column, field_name, score, others))
    return result


# --- Values ---------------------------------------------------------------------------------

# Status words. 延期 keeps a case in progress and raises the extension flag (see EXTENSION).
# fmt: off
STATUS_WORDS: dict[str, str] = {
    **dict.fromkeys(
        ("已办结", "办结", "已完成", "完成", "已销号", "销号", "已结案", "结案", "已整改",
         "整改完成", "已整改完成", "已化解", "已归档", "办结归档", "已关闭", "是", "已解决",
         "解决"),
        Status.CLOSED,
    ),
    **dict.fromkeys(
        ("办理中", "正在办理", "未办结", "未销号", "整改中", "正在整改", "未完成", "未整改",
         "处理中", "在办", "未化解", "化解中", "跟踪中", "否", "延期", "申请延期", "已延期",
         "延期办理", "持续整改", "推进中", "正在解决", "解决中", "未解决", "部分解决"),
        Status.IN_PROGRESS,
    ),
    **dict.fromkeys(("已答复", "已回复", "已反馈", "答复", "已处理"), Status.ANSWERED),
    **dict.fromkeys(("已回访", "回访"), Status.VERIFIED),
    **dict.fromkeys(("已交办", "已派单", "已转办", "待签收", "已签收"), Status.ASSIGNED),
    **dict.fromkeys(("已受理", "待处理", "待办", "未处理", "待交办", "已登记"), Status.REPORTED),
    **dict.fromkeys(
        ("不予受理", "退回", "已退回", "退单", "作废", "无效工单", "不属实", "已注销"),
        Status.REJECTED,
    ),
}
EXTENSION = frozenset({"延期", "申请延期", "已延期", "延期办理"})

# The empty string means "no valid return visit" (未回访, 联系不上): no satisfaction recorded.
NO_SATISFACTION = ""
SATISFACTION_WORDS: dict[str, str] = {
    **dict.fromkeys(
        ("满意", "非常满意", "很满意", "十分满意", "满意度高"), Satisfaction.SATISFIED
    ),
    **dict.fromkeys(("基本满意", "一般", "较满意", "比较满意", "还行"), Satisfaction.BASIC),
    **dict.fromkeys(
        ("不满意", "很不满意", "非常不满意", "不太满意", "较不满意"), Satisfaction.UNSATISFIED
    ),
    **dict.fromkeys(
        ("未回访", "联系不上", "无法联系", "拒绝回访", "拒访", "无人接听", "空号", "未评价",
         "无", "不评价"),
        NO_SATISFACTION,
    ),
}

MEDIATION_WORDS: dict[str, str] = {
    **dict.fromkeys(
        ("调解成功", "成功", "已化解", "化解", "达成协议", "调处成功", "化解成功", "已调解",
         "是"),
        MediationOutcome.SUCCESS,
    ),
    **dict.fromkeys(
        ("调解不成", "调解不成功", "未化解", "失败", "调解失败", "未达成协议", "调处不成", "否"),
        MediationOutcome.FAILED,
    ),
    **dict.fromkeys(
        ("转诉讼", "转仲裁", "引导诉讼", "引导仲裁", "诉讼", "仲裁", "转司法", "移交法院",
         "诉前调解", "依法起诉"),
        MediationOutcome.REFERRED,
    ),
    **dict.fromkeys(("终止", "终止调解", "撤回", "当事人撤回"), MediationOutcome.TERMINATED),
    # Still being mediated: no outcome yet.
    **dict.fromkeys(("正在调处", "调处中", "正在调解", "调解中", "未调结", "跟踪调处"), ""),
}

# Hazard and risk grades: 重大隐患 is the top grade of a safety hazard (一般/较大/重大), so 重大
# reads as the highest level; 较大 the middle one.
PRIORITY_WORDS: dict[str, str] = {
    **dict.fromkeys(
        ("一般", "一般隐患", "3级", "三级", "Ⅲ级", "低", "普通", "不紧急", "蓝色", "黄色",
         "一般风险", "低风险", "较低"),
        Priority.NORMAL,
    ),
    **dict.fromkeys(
        ("较大", "较大隐患", "2级", "二级", "Ⅱ级", "中", "重要", "较急", "橙色", "较大风险",
         "中风险", "较紧急", "比较紧急"),
        Priority.IMPORTANT,
    ),
    **dict.fromkeys(
        ("重大", "重大隐患", "特别重大", "1级", "一级", "Ⅰ级", "紧急", "特急", "高", "红色",
         "重大风险", "高风险", "非常紧急", "十分紧急"),
        Priority.URGENT,
    ),
    **dict.fromkeys(("疑难复杂", "疑难", "复杂", "疑难件"), Priority.COMPLEX),
}
RISK_WORDS: dict[str, str] = {
    **{word: RiskLevel.LOW for word, p in PRIORITY_WORDS.items() if p == Priority.NORMAL},
    **{word: RiskLevel.MEDIUM for word, p in PRIORITY_WORDS.items() if p == Priority.IMPORTANT},
    **{word: RiskLevel.HIGH for word, p in PRIORITY_WORDS.items() if p == Priority.URGENT},
}

CHANNEL_WORDS: dict[str, str] = {
    **dict.fromkeys(
        ("12345", "热线", "来电", "12345热线", "市民热线", "政务热线", "电话", "12345工单"),
        Channel.HOTLINE,
    ),
    **dict.fromkeys(("来访", "窗口", "窗口来访", "群众来访", "信访", "来信"), Channel.WALK_IN),
    **dict.fromkeys(
        ("网格", "网格员上报", "摸排", "网格上报", "排查", "巡查", "自查", "日常检查",
         "网格员排查"),
        Channel.GRID,
    ),
    **dict.fromkeys(("走访", "入户走访", "上门走访", "企业走访", "大走访"), Channel.VISIT),
    **dict.fromkeys(
        ("网络", "网站", "小程序", "微信", "公众号", "app", "网上", "市长信箱", "书记信箱",
         "留言板", "网络留言"),
        Channel.WEB,
    ),
    **dict.fromkeys(("上级交办", "转办", "交办", "上级转办", "督办", "领导交办"), Channel.TRANSFER),
    **dict.fromkeys(("会议", "联席会议", "座谈会", "会议收集", "屋场会"), Channel.MEETING),
    **dict.fromkeys(
        ("屋场夜话", "夜谈", "屋场夜谈", "屋场夜谈会", "夜话"), Channel.EVENING_MEETING
    ),
}

# fmt: on
VALUE_WORDS: dict[str, Mapping[str, str]] = {
    "status": STATUS_WORDS,
    "satisfaction": SATISFACTION_WORDS,
    "mediation_outcome": MEDIATION_WORDS,
    "priority": PRIORITY_WORDS,
    "risk_level": RISK_WORDS,
    "channel": CHANNEL_WORDS,
}


@dataclass(frozen=True)
class ValueSuggestion:
    """The suggested value of one ledger word. ``target`` None (score 0) is a word the wizard
    must ask about; ``extension`` marks a status word that also means 延期."""

    target: str | None
    score: float
    alternatives: tuple[tuple[str, float], ...] = ()
    extension: bool = False


def suggest_value(field_name: str, word: Any) -> ValueSuggestion:
    """The value of ``word`` in the column mapped to ``field_name``.

    An exact word scores 1.0; a word holding a known one ("已于3月办结") 0.8, the longest known
    word winning ("非常不满意" is 不满意, not 满意); a near spelling its fuzzy ratio × 0.7.
    """
    vocabulary = VALUE_WORDS.get(field_name)
    normal = normalise(word)
    if vocabulary is None or not normal:
        return ValueSuggestion(None, 0.0)
    known = {normalise(key): value for key, value in vocabulary.items()}
    scores: dict[str, float] = {}
    extension = False
    if normal in known:
        target = known[normal]
        extension = field_name == "status" and normal in EXTENSION
        scores[target] = 1.0
    else:
        inside = sorted((key for key in known if key in normal), key=len, reverse=True)
        if inside:
            scores[known[inside[0]]] = 0.8
            extension = field_name == "status" and any(key in EXTENSION for key in inside)
        for key, value in known.items():
            ratio = 0.7 * SequenceMatcher(None, normal, key).ratio()
            if ratio >= 0.4 and ratio > scores.get(value, 0.0):
                scores[value] = round(ratio, 3)
    if not scores:
        return ValueSuggestion(None, 0.0)
    ranked = sorted(scores.items(), key=lambda pair: -pair[1])
    target, score = ranked[0]
    if score < 0.5:
        return ValueSuggestion(None, 0.0, tuple(ranked[:MAX_ALTERNATIVES]))
    return ValueSuggestion(target, score, tuple(ranked[1 : 1 + MAX_ALTERNATIVES]), extension)


# --- Profiles -------------------------------------------------------------------------------


@dataclass
class MappingProfile:
    """A confirmed mapping of one office's ledger: column → field, and per field its own
    words → Lianxin's values. Saved per office once a model exists for it."""

    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    name: str = ""

    @classmethod
    def from_suggestions(
        cls, suggestions: Iterable[ColumnSuggestion], *, name: str = ""
    ) -> MappingProfile:
        return cls(
            columns={s.column: s.field or DETAILS for s in suggestions},
            name=name,
        )

    def field_for(self, column: Any) -> str:
        """The field of a column of a later ledger: by its exact name, else its normal form."""
        key = "" if column is None else str(column)
        if key in self.columns:
            return self.columns[key]
        normal = normalise(key)
        for known, target in self.columns.items():
            if normalise(known) == normal:
                return target
        return DETAILS

    def value_for(self, field_name: str, word: Any) -> str | None:
        """The confirmed value of a word, else the vocabulary's sure one (score 1.0), else None."""
        confirmed = self.values.get(field_name, {})
        normal = normalise(word)
        for known, target in confirmed.items():
            if normalise(known) == normal:
                return target
        suggestion = suggest_value(field_name, word)
        return suggestion.target if suggestion.score == 1.0 else None

    def to_json(self) -> str:
        return json.dumps(
            {"version": 1, "name": self.name, "columns": self.columns, "values": self.values},
            ensure_ascii=False,
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, raw: str | bytes) -> MappingProfile:
        data = json.loads(raw)
        if not isinstance(data, dict) or data.get("version") != 1:
            raise ValueError("unknown mapping profile format")
        columns = {str(k): str(v) for k, v in dict(data.get("columns") or {}).items()}
        values = {
            str(f): {str(k): str(v) for k, v in dict(words).items()}
            for f, words in dict(data.get("values") or {}).items()
        }
        unknown = sorted(set(columns.values()) - set(HEADERS))
        if unknown:
            raise ValueError(f"unknown fields in mapping profile: {', '.join(unknown)}")
        return cls(columns=columns, values=values, name=str(data.get("name") or ""))
