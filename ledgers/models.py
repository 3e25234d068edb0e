"""An office's saved ledger mappings and its import jobs (issue 10: the import wizard).

A :class:`LedgerProfile` is a confirmed :class:`ledgers.vocabulary.MappingProfile` kept for the
office (a region: the importer's scope) with the fingerprint of the columns it was confirmed on,
so the office's next ledger of the same shape is recognised (``ledgers.profiles``).

An :class:`ImportJob` is one uploaded ledger on its way through the wizard: analysed (a dry run),
mapped and confirmed, imported. The upload and its report are stored under random names in a
private folder of MEDIA_ROOT (never served by the web server: only the job's views send them, to
users whose scope covers the job's office).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import CaseType
from ledgers.vocabulary import MappingProfile
from regions.models import Region

SKIP, UPDATE = "skip", "update"  # as ledgers.history, which needs the database models loaded


def _private_name(folder: str, suffix: str) -> str:
    return f"ledgers/{folder}/{timezone.localtime():%Y/%m}/{uuid.uuid4().hex}{suffix}"


def upload_path(instance: Any, filename: str) -> str:
    """``upload_to`` of an uploaded ledger: a random name, never the sender's (kept in ``name``)."""
    return _private_name("uploads", ".xlsx")


def report_path(instance: Any, filename: str) -> str:
    return _private_name("reports", ".xlsx")


class RegionScopedQuerySet(models.QuerySet):
    def in_subtrees(self, roots: list[Region] | None) -> RegionScopedQuerySet:
        """Rows whose office lies in one of ``roots``' subtrees (None: everywhere)."""
        if roots is None:
            return self
        q = Q(pk__in=[])
        for root in roots:
            q |= Q(office__path__gte=root.path, office__path__lt=root.path_range_end)
        return self.filter(q)


class LedgerProfile(models.Model):
    """A confirmed column and value mapping of one office's ledger, recognised next time.

    ``fingerprint`` holds the normalised column names it was confirmed on; a later ledger whose
    columns overlap it enough is read with it (``ledgers.profiles.recognise``).
    """

    office = models.ForeignKey(
        Region, verbose_name=_("所属单位（区域）"), on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField(_("名称"), max_length=100)
    case_type = models.ForeignKey(CaseType, verbose_name=_("事项类型"), on_delete=models.PROTECT)
    profile = models.JSONField(_("对应方案"), default=dict)
    fingerprint = models.JSONField(_("列特征"), default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = RegionScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("台账对应方案")
        verbose_name_plural = _("台账对应方案")
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(fields=["office", "name"], name="unique_ledger_profile_name")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def mapping(self) -> MappingProfile:
        return MappingProfile.from_json(json.dumps(self.profile, ensure_ascii=False))


class JobStatus(models.TextChoices):
    UPLOADED = "uploaded", _("已上传")
    ANALYSING = "analysing", _("正在读取")
    READY = "ready", _("待确认")
    IMPORTING = "importing", _("正在导入")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


RUNNING = (JobStatus.ANALYSING, JobStatus.IMPORTING)


class ImportJob(models.Model):
    """One uploaded ledger in the wizard: its options, the mapping it is read with, its progress
    and the result of its last run (the dry run's preview, then the import's counts).

    ``mapping`` is the job's own copy of the mapping: the user's corrections go there until the
    import is confirmed, when it is saved as the office's profile (``profile``).
    """

    file = models.FileField(_("文件"), upload_to=upload_path)
    name = models.CharField(_("文件名"), max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    office = models.ForeignKey(
        Region, verbose_name=_("所属单位（区域）"), on_delete=models.PROTECT, related_name="+"
    )
    case_type = models.ForeignKey(CaseType, verbose_name=_("事项类型"), on_delete=models.PROTECT)
    sheet = models.CharField(_("工作表"), max_length=100, blank=True)
    profile = models.ForeignKey(
        LedgerProfile,
        verbose_name=_("对应方案"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="jobs",
    )
    mapping = models.JSONField(_("本次对应"), default=dict)
    skip_bad_rows = models.BooleanField(_("跳过有误的行"), default=False)
    duplicates = models.CharField(
        _("重复编号"),
        max_length=10,
        choices=[(SKIP, _("跳过")), (UPDATE, _("更新"))],
        default=SKIP,
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=JobStatus.choices, default=JobStatus.UPLOADED
    )
    estimated_rows = models.PositiveIntegerField(_("估计行数"), default=0)
    done = models.PositiveIntegerField(_("已处理"), default=0)
    total = models.PositiveIntegerField(_("总行数"), default=0)
    result = models.JSONField(_("结果"), default=dict, blank=True)
    error = models.TextField(_("失败原因"), blank=True)
    report = models.FileField(_("报告"), upload_to=report_path, blank=True)
    created_at = models.DateTimeField(_("上传时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    objects = RegionScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("台账导入")
        verbose_name_plural = _("台账导入")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_running(self) -> bool:
        return self.status in RUNNING

    @property
    def percent(self) -> int:
        return min(100, self.done * 100 // self.total) if self.total else 0

    def get_mapping(self) -> MappingProfile:
        if not self.mapping:
            return MappingProfile()
        return MappingProfile.from_json(json.dumps(self.mapping, ensure_ascii=False))

    def set_mapping(self, mapping: MappingProfile) -> None:
        self.mapping = json.loads(mapping.to_json())
