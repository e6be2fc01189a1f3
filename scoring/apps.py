from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    name = "scoring"
    verbose_name = _("Scoring")

    def ready(self) -> None:
        from . import (
            evaluation_cards,  # noqa: F401 - registers the evaluation dashboard cards
            score_cards,  # noqa: F401 - registers the score dashboard card (order 20)
            tasks,  # noqa: F401 - the score job: beat queues it by name
        )
        from .core_problems import cards as core_problem_cards  # noqa: F401 - dashboard + merchant page
        from .core_problems import tasks as core_problem_tasks  # noqa: F401 - the worker finds them here
        from .evaluation import notices
        from .evaluation import tasks as evaluation_tasks  # noqa: F401 - tasks: the worker finds them here
        from .evaluation import texts as evaluation_texts  # noqa: F401 - registers the stored texts' messages

        notices.register()
