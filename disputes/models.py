"""The parties of a dispute (申请人/当事人 and 对方当事人) and its signed mediation agreements
(调解协议书), on a case whose type needs mediation (``CaseType.has_mediation``).

Only ``disputes/services.py`` writes these rows, each change with its ``DisputeEvent`` in the
same transaction. A party's contacts are masked as a requester's are (``disputes.scope``).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.attachments import EXTENSIONS
from cases.models import Case, Via
from eventlog import AppendOnly
from orgs.models import Organisation
from people.masking import mask_address, mask_id_number, mask_phone


class PartyRole(models.TextChoices):
    APPLICANT = "applicant", _("申请人/当事人")
    RESPONDENT = "respondent", _("对方当事人")


class DisputeParty(models.Model):
    """One party of a dispute; the list is replaced as a whole by ``set_parties``."""

    case = models.ForeignKey(
        Case,
        verbose_name=_("事项"),
        on_delete=models.PROTECT,
        related_name="dispute_parties",
        limit_choices_to=Q(case_type__has_mediation=True),
    )
    role = models.CharField(_("身份"), max_length=12, choices=PartyRole.choices)
    name = models.CharField(_("姓名/名称"), max_length=150)
    id_number = models.CharField(_("身份证号"), max_length=18, blank=True)
    phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    address = models.CharField(_("住址"), max_length=255, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("所在单位/企业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField(_("备注"), max_length=500, blank=True)
    ordering = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("纠纷当事人")
        verbose_name_plural = _("纠纷当事人")
        ordering = ["case", "ordering", "id"]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.name}"

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def masked_address(self) -> str:
        return mask_address(self.address)


def agreement_path(instance: Any, filename: str) -> str:
    """A random name under the month; only an accepted type's extension is kept."""
    extension = filename.rpartition(".")[2].lower() if "." in filename else ""
    if extension not in EXTENSIONS:
        extension = "bin"
    return f"disputes/{timezone.localtime():%Y/%m}/{uuid.uuid4().hex}.{extension}"


class MediationAgreement(models.Model):
    """A signed mediation agreement (调解协议书): a PDF or a photo, judged by its bytes."""

    case = models.ForeignKey(
        Case,
        verbose_name=_("事项"),
        on_delete=models.PROTECT,
        related_name="mediation_agreements",
        limit_choices_to=Q(case_type__has_mediation=True),
    )
    file = models.FileField(_("文件"), upload_to=agreement_path)
    name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小（字节）"))
    signed_on = models.DateField(_("签订日期"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    class Meta:
        verbose_name = _("调解协议")
        verbose_name_plural = _("调解协议")
        ordering = ["case", "-signed_on", "-id"]

    def __str__(self) -> str:
        return self.name


class DisputeEventKind(models.TextChoices):
    PARTIES_SET = "parties_set", _("登记当事人")
    AGREEMENT_ATTACHED = "agreement_attached", _("上传调解协议")


class DisputeEvent(AppendOnly, models.Model):
    """One change of a dispute's records, written by the service that made it. Append-only."""

    kind = models.CharField(_("动作"), max_length=32, choices=DisputeEventKind.choices)
    case = models.ForeignKey(
        Case, verbose_name=_("事项"), on_delete=models.PROTECT, related_name="+"
    )
    via = models.CharField(_("来源"), max_length=10, choices=Via.choices, default=Via.SYSTEM)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    data = models.JSONField(_("数据"), default=dict, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("纠纷记录")
        verbose_name_plural = _("纠纷记录")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.kind
