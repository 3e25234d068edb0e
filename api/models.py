"""What the REST API keeps of its own: the Idempotency-Key records of case creation."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.models import Case


class IdempotencyRecord(models.Model):
    """One ``Idempotency-Key`` a user sent with ``POST /api/v1/cases/``, the body it came with and
    the case it made, so a retried request never makes a second case and a reused key with
    another body is refused (409) instead of silently answered with the wrong case."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("用户")
    )
    key = models.CharField(_("幂等键"), max_length=255)
    # SHA-256 of the request body in canonical JSON (sorted keys), so spacing does not matter.
    body_hash = models.CharField(max_length=64)
    case = models.ForeignKey(
        Case, null=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("事项")
    )
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("幂等请求记录")
        verbose_name_plural = _("幂等请求记录")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="unique_idempotency_key")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"
