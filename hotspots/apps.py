from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HotspotsConfig(AppConfig):
    name = "hotspots"
    verbose_name = _("热点预警与智能建议")

    def ready(self) -> None:
        from hotspots import signals  # noqa: F401  (connects the repeat check to case events)
