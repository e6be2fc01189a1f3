from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommitmentsConfig(AppConfig):
    name = "commitments"
    verbose_name = _("Commitments")

    def ready(self) -> None:
        from tags.checks import register_application_check

        from . import (
            dashboard,  # noqa: F401  (registers the dashboard cards)
            tasks,  # noqa: F401  (services queue these by name: core.jobs.enqueue_on_commit)
            texts,  # noqa: F401  (registers the stored texts' messages)
        )
        from .checks import check_on_time_dispatch

        # The threshold, minimum orders and window are staff-editable (CommitmentSettings): the label
        # names the check, each result's detail states the numbers it was judged against.
        register_application_check(
            "on_time_dispatch", "On-time dispatch rate", "准时发货率", check_on_time_dispatch
        )
