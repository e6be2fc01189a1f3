from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TagsConfig(AppConfig):
    name = "tags"
    verbose_name = _("Tags")

    def ready(self) -> None:
        from . import (
            dashboard,  # noqa: F401  (registers the dashboard cards)
            texts,  # noqa: F401  (registers the stored texts' messages)
        )
