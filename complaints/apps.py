from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "complaints"
    verbose_name = _("Complaints")

    def ready(self) -> None:
        from . import (
            dashboard,  # noqa: F401  (registers the dashboard cards)
            texts,  # noqa: F401  (registers the stored texts' messages)
        )
        from .checks import register

        # Tag applications check the fault complaint rate through the registry tags offers.
        register()
