"""What the Open311 way in keeps of its own: request tokens and the catalog's changesets.

Cases themselves live in ``cases``; nothing here holds a case's state.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.models import Case


class RequestToken(models.Model):
    """The token of a request created over Open311, for clients that follow the asynchronous flow.

    Requests are created synchronously, so a token always resolves; one token per case, so a
    retried identical POST answers with the same token. It keeps the acknowledgement the client
    was given on creation, so a retry and a later GET repeat it rather than recompute it.
    """

    token = models.CharField(_("令牌"), max_length=40, unique=True)
    case = models.OneToOneField(
        Case, verbose_name=_("事项"), on_delete=models.CASCADE, related_name="open311_token"
    )
    service_notice = models.TextField(_("受理告知"), blank=True)
    expected_datetime = models.DateTimeField(_("预计办结时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("Open311 令牌")
        verbose_name_plural = _("Open311 令牌")

    def __str__(self) -> str:
        return self.token


class CatalogVersion(models.Model):
    """A digest of the published services and their definitions, with the time it was first seen.

    Case types, categories and regions carry no timestamps, so discovery's ``changeset`` is the
    first time the current catalog was served: it changes exactly when clients should refresh.
    """

    digest = models.CharField(max_length=64, unique=True)
    first_seen_at = models.DateTimeField(_("首次发布时间"))

    class Meta:
        verbose_name = _("Open311 服务目录版本")
        verbose_name_plural = _("Open311 服务目录版本")

    def __str__(self) -> str:
        return f"{self.digest[:12]} {self.first_seen_at:%Y-%m-%d %H:%M}"
