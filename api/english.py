"""English twins of the engine's and registries' Chinese messages, for ``message_en`` in API errors.

Validation errors are rendered twice (``api/errors.validation_error``), in Chinese and under
the English catalogue (``locale/en``), and the catalogue's text wins. This table covers what the
catalogue cannot: messages already formatted in Chinese by the engine (``CaseError`` and
``ValidationError`` strings raised inside a Chinese request), and it names the API field a
message is about when the engine does not say. A message missing here falls back to a
sentence chosen by the error's code (``FALLBACK``); ``api/tests/test_errors.py`` checks that
every message of ``cases/services.py`` is in the table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class English:
    text: str
    field: str | None = None
    code: str | None = None


# Chinese message (as written in the source, with its %(name)s placeholders) → English.
MESSAGES: dict[str, English] = {
    # cases/services.py
    "“%(unit)s”不是可承办事项的单位。": English(
        "“%(unit)s” is not a unit that can handle cases.", "lead_unit", "invalid"
    ),
    "不予受理必须说明理由。": English(
        "A reason is required to reject a case.", "reason", "required"
    ),
    "不同意延期必须说明理由。": English(
        "A reason is required to refuse an extension.", "reason", "required"
    ),
    "不能与自身合并。": English("A case cannot be merged into itself.", "master", "invalid"),
    "主事项不在您的研判交办范围内。": English(
        "The master case is outside your dispatching scope.", "master", "forbidden"
    ),
    "主事项不存在或已合并/不予受理。": English(
        "The master case does not exist or was merged or rejected.", "master", "invalid"
    ),
    "事项当前为“%(status)s”，不能执行该操作。": English(
        "The case is now “%(status)s”; this move is not allowed from that state."
    ),
    "分类不属于该事项类型。": English(
        "The category does not belong to the case type.", "category", "invalid"
    ),
    "办理期限必须晚于当前时间。": English(
        "The deadline must be in the future.", "deadline", "invalid"
    ),
    "只能在本人负责的网格范围内上报事项。": English(
        "You can only report cases inside the grids you are responsible for.", "region"
    ),
    "回访未通过的事项销号必须说明理由。": English(
        "Closing a case whose return visit failed needs a written reason.", "note", "required"
    ),
    "已有延期申请待审批。": English("An extension request is already waiting for approval."),
    "已超过办理期限，不能再申请延期。": English(
        "The deadline has passed; an extension can no longer be requested."
    ),
    "延期后的期限必须晚于原办理期限。": English(
        "The extended deadline must be later than the current deadline.", "until", "invalid"
    ),
    "当场办结的事项没有主办单位，请重新受理。": English(
        "A case resolved on the spot has no lead unit; report it again instead."
    ),
    "您没有权限对该事项执行此操作。": English(
        "You are not permitted to make this move on this case."
    ),
    "有效回访必须记录是否及时联系、是否解决和满意度。": English(
        "A reached return visit must record contacted, resolved and satisfaction.",
        "satisfaction",
        "required",
    ),
    "来源渠道无效。": English("The channel is not valid.", "channel", "invalid"),
    "没有待审批的延期申请。": English("There is no extension request waiting for approval."),
    "申请延期必须说明理由。": English(
        "A reason is required to request an extension.", "reason", "required"
    ),
    "紧急程度无效。": English("The priority is not valid.", "priority", "invalid"),
    "该事项已被他人处理（当前状态：%(status)s），请刷新后查看最新情况。": English(
        "Someone else moved this case (it is now %(status)s); reload it and try again."
    ),
    "该事项延期次数已达上限。": English("This case has used all its extensions."),
    "该操作只能由系统执行。": English("Only the system can make this move."),
    "该操作必须由具体用户执行。": English("This move must be made by a user."),
    "该类型事项不需要调解。": English("Cases of this type have no mediation."),
    "该类型和紧急程度没有设置办理时限，请指定办理期限。": English(
        "No time limit is set for this case type and priority; give a deadline.",
        "deadline",
        "required",
    ),
    "请先登录。": English("Please sign in first."),
    "请填写办理进展。": English("A progress note is required.", "note", "required"),
    "请填写现场处理情况。": English(
        "Describe how the case was resolved on the spot.", "answer", "required"
    ),
    "请填写答复内容。": English("An answer is required.", "answer", "required"),
    "请填写诉求内容。": English("A description is required.", "description", "required"),
    "请填写诉求标题。": English("A title is required.", "title", "required"),
    "请填写调解情况。": English("A mediation note is required.", "note", "required"),
    "请选择退单原因。": English(
        "Choose a reason code for the send-back.", "reason_code", "required"
    ),
    "调处结果无效。": English("The mediation outcome is not valid.", "outcome", "invalid"),
    "退单必须说明理由和依据。": English(
        "A send-back needs a reason and its basis.", "reason", "required"
    ),
    "重办必须说明理由。": English("A reason is required to reopen a case.", "reason", "required"),
    "风险等级无效。": English("The risk level is not valid.", "risk_level", "invalid"),
    # api/authentication.py
    "Authorization 头格式应为“Token <密钥>”或“Bearer <密钥>”。": English(
        "The Authorization header must be “Token <key>” or “Bearer <key>”."
    ),
    "接口密钥无效或已吊销。": English("The API key is invalid or revoked."),
    # regions/models.py
    "下级区域的层级必须低于上级区域。": English(
        "A region's level must be below its parent's level.", "level", "invalid"
    ),
    "只有县级区域可以没有上级。": English(
        "Only a county-level region can have no parent.", "parent", "required"
    ),
    "同一上级下的区域过多。": English("The parent region has too many children.", "parent"),
    # orgs/credit_code.py and orgs/models.py
    "统一社会信用代码应为18位。": English(
        "A unified social credit code has 18 characters.", "credit_code", "invalid"
    ),
    "统一社会信用代码含有非法字符：%(chars)s。": English(
        "The unified social credit code has invalid characters: %(chars)s.",
        "credit_code",
        "invalid",
    ),
    "统一社会信用代码校验位错误。": English(
        "The check character of the unified social credit code is wrong.",
        "credit_code",
        "invalid",
    ),
    "该统一社会信用代码已登记。": English(
        "An organisation with this unified social credit code exists.", "credit_code", "unique"
    ),
    "企业必须填写统一社会信用代码。": English(
        "An enterprise needs a unified social credit code.", "credit_code", "required"
    ),
}

# When a message is not in the table: a sentence by error code.
FALLBACK: dict[str, str] = {
    "invalid": "The request is not valid.",
    "required": "This field is required.",
    "invalid_transition": "This move is not allowed for the case now.",
    "stale": "The case changed since you read it; reload it and try again.",
    "forbidden": "You are not permitted to do this.",
    "permission_denied": "You are not permitted to do this.",
    "not_found": "Not found.",
    "not_authenticated": "Authentication credentials were not provided.",
    "authentication_failed": "The API key is invalid or revoked.",
    "throttled": "Too many requests; slow down.",
    "server_error": "An unexpected error occurred.",
}


def _pattern(message: str) -> re.Pattern[str]:
    parts = re.split(r"%\((\w+)\)s", message)
    regex = "".join(
        re.escape(part) if index % 2 == 0 else f"(?P<{part}>.+?)"
        for index, part in enumerate(parts)
    )
    return re.compile(f"^{regex}$")


_PATTERNS = [(_pattern(zh), en) for zh, en in MESSAGES.items()]


def english(message: str) -> English | None:
    """The English twin of a Chinese message, with its placeholders filled, or None."""
    for pattern, en in _PATTERNS:
        match = pattern.match(message)
        if match:
            return English(en.text % match.groupdict(), en.field, en.code)
    return None


def fallback(code: str) -> str:
    return FALLBACK.get(code, FALLBACK["invalid"])
