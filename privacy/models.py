"""The privacy logs: who opened a requester's unmasked details, who exported everything held
about a person, and who changed a case's privacy flags. Each written once
(``eventlog.AppendOnly``).

A case's own timeline (``CaseEvent``) records its moves; reading a case is no move and its flags
(``Case.is_public``, ``Case.anonymous_to_unit``) are no state, so they are logged here, beside
the engine, without touching it.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.models import Case
from eventlog import AppendOnly
from people.masking import mask_phone
from people.models import Person, User


class Door(models.TextChoices):
    """Where the details were shown."""

    WEB = "web", _("网页")
    API = "api", _("接口")
    EXPORT = "export", _("导出")


class RequesterAccess(AppendOnly, models.Model):
    """One opening of a requester's unmasked name and phone: a case page, an API read of a case,
    an export (one row per export, with the number of requesters in it)."""

    user = models.ForeignKey(
        User, verbose_name=_("查阅人"), on_delete=models.PROTECT, related_name="+"
    )
    case = models.ForeignKey(
        Case,
        verbose_name=_("事项"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("诉求人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The number shown, as it was: the person's own view (谁查看了我的信息) finds it by phone.
    phone = models.CharField(_("诉求人电话"), max_length=20, blank=True)
    door = models.CharField(_("途径"), max_length=10, choices=Door.choices)
    purpose = models.CharField(_("用途"), max_length=100, blank=True)
    count = models.PositiveIntegerField(_("涉及人数"), default=1)
    created_at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("个人信息查阅记录")
        verbose_name_plural = _("个人信息查阅记录")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["phone", "created_at"], name="privacy_access_phone"),
            models.Index(fields=["person", "created_at"], name="privacy_access_person"),
            models.Index(fields=["created_at"], name="privacy_access_created"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} · {mask_phone(self.phone)} · {self.created_at:%Y-%m-%d %H:%M}"


class ExportFormat(models.TextChoices):
    JSON = "json", "JSON"
    XLSX = "xlsx", "Excel (.xlsx)"


# The parts of a person export, in order (``privacy.dossier``): JSON key → sheet name.
EXPORT_SECTIONS = {
    "people": _("人员信息"),
    "cases": _("诉求事项"),
    "events": _("办理过程"),
    "households": _("户信息"),
    "household_links": _("联系户"),
    "enterprise_links": _("企业联系"),
    "notifications": _("通知记录"),
    "accesses": _("查阅记录"),
}


class PersonExport(AppendOnly, models.Model):
    """An export of everything held about one person (个人信息导出): who, whom, why. Holds the
    masked number or ID searched, never the values themselves."""

    actor = models.ForeignKey(
        User, verbose_name=_("导出人"), on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("人员"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    subject = models.CharField(_("查询条件（已脱敏）"), max_length=60)
    reason = models.CharField(_("导出事由"), max_length=200)
    format = models.CharField(_("格式"), max_length=8, choices=ExportFormat.choices)
    counts = models.JSONField(_("导出条数"), default=dict, blank=True)
    created_at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("个人信息导出记录")
        verbose_name_plural = _("个人信息导出记录")
        ordering = ["-created_at", "-id"]
        permissions = [("export_person", _("可导出个人信息"))]

    def __str__(self) -> str:
        return f"{self.subject} · {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def counts_text(self) -> str:
        """ "诉求事项 3，办理过程 12": the parts that held anything."""
        return "，".join(
            f"{label} {self.counts[key]}"
            for key, label in EXPORT_SECTIONS.items()
            if self.counts.get(key)
        )


class PrivacyFlag(models.TextChoices):
    IS_PUBLIC = "is_public", _("公开")
    ANONYMOUS_TO_UNIT = "anonymous_to_unit", _("对承办单位保密")


class CasePrivacyChange(AppendOnly, models.Model):
    """A case's privacy flag set or cleared after intake, by the desk."""

    case = models.ForeignKey(
        Case, verbose_name=_("事项"), on_delete=models.PROTECT, related_name="privacy_changes"
    )
    actor = models.ForeignKey(
        User, verbose_name=_("操作人"), on_delete=models.PROTECT, related_name="+"
    )
    flag = models.CharField(_("设置项"), max_length=20, choices=PrivacyFlag.choices)
    value = models.BooleanField(_("设置为"))
    reason = models.CharField(_("理由"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("事项隐私设置记录")
        verbose_name_plural = _("事项隐私设置记录")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.flag}={self.value}"
