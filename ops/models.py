"""The retention log: one row per anonymised case, written once (``eventlog.AppendOnly``).

The case's own timeline (``CaseEvent``) is the engine's record of its moves; anonymisation is
not a move of the loop, so it is logged here, beside it, without touching the engine."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.models import Case
from eventlog import AppendOnly
from people.models import Person


class Anonymisation(AppendOnly, models.Model):
    """A case whose requester was anonymised (脱敏) after the retention period. Holds what was
    replaced, never the values themselves."""

    case = models.OneToOneField(
        Case, verbose_name=_("事项"), on_delete=models.PROTECT, related_name="anonymisation"
    )
    # The linked person, when their own file was anonymised too (they had no newer case).
    person = models.ForeignKey(
        Person,
        verbose_name=_("人员"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    fields = models.JSONField(_("脱敏字段"), default=list, blank=True)
    parties = models.PositiveIntegerField(_("脱敏当事人数"), default=0)
    retention_years = models.PositiveSmallIntegerField(_("保存年限"))
    closed_before = models.DateTimeField(_("销号早于"))
    created_at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("脱敏记录")
        verbose_name_plural = _("脱敏记录")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.created_at:%Y-%m-%d}"
