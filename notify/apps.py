from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "notify"
    verbose_name = _("消息通知")

    def ready(self) -> None:
        from notify import signals  # noqa: F401  (the CaseEvent trigger; the rule cache)
