from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgersConfig(AppConfig):
    name = "ledgers"
    verbose_name = _("台账导入导出")

    def ready(self) -> None:
        from ledgers import signals  # noqa: F401  (a job's files are deleted with it)
