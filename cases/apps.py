from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("诉求事项")

    def ready(self) -> None:
        from cases import services, signals  # noqa: F401  (the move catalogue; calendar cache)
