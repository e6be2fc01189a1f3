from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommitmentsConfig(AppConfig):
    name = "commitments"
    verbose_name = _("Commitments")

    def ready(self) -> None:
        # Services queue these tasks by name (core.jobs.enqueue_on_commit): register them here.
        from . import (
            dashboard,  # noqa: F401  (registers the dashboard cards)
            tasks,  # noqa: F401
        )

        try:
            from tags.checks import register_application_check
        except ImportError:  # the tags app without its checks registry
            return
        from .checks import check_on_time_dispatch

        # The threshold, minimum orders and window are staff-editable (CommitmentSettings): the label
        # names the check, each result's detail states the numbers it was judged against.
        register_application_check(
            "on_time_dispatch", "On-time dispatch rate", "准时发货率", check_on_time_dispatch
        )
