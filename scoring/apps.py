from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    name = "scoring"
    verbose_name = _("Scoring")

    def ready(self) -> None:
        from . import (
            evaluation_cards,  # noqa: F401 - registers the evaluation dashboard cards
            tasks,  # noqa: F401 - the score job: beat queues it by name
        )
        from .evaluation import notices
        from .evaluation import tasks as evaluation_tasks  # noqa: F401 - tasks: the worker finds them here

        notices.register()
