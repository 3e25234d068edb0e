"""What the pages keep of their own: the receipts of moves made with a one-time form token."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.models import Case


class MoveReceipt(models.Model):
    """A case move made from a page form that carried a one-time token (``form_token``).

    A form sent again with its token (a phone replaying what it saved without signal, a double
    tap) finds the move it already made instead of making a second one or failing as stale.
    A report needs none: the case's ``source_key`` is its token. Written in the move's
    transaction, so a refused move leaves no receipt.
    """

    key = models.UUIDField(_("表单令牌"), unique=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("用户")
    )
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="+", verbose_name=_("事项")
    )
    kind = models.CharField(_("动作"), max_length=40)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("表单提交回执")
        verbose_name_plural = _("表单提交回执")

    def __str__(self) -> str:
        return f"{self.kind}:{self.key}"
