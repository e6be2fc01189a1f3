from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    name = "scoring"
    verbose_name = _("Scoring")

    def ready(self):
        from . import evaluation_cards  # noqa: F401 - registers the evaluation dashboard cards
        from .evaluation import notices, tasks  # noqa: F401 - tasks: the worker finds them here

        notices.register()
