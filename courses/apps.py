from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = _("Courses")

    def ready(self) -> None:
        from scoring import hooks

        from . import dashboard  # noqa: F401 - registers the dashboard card
        from .content import seed_after_migrate
        from .selectors import course_link, course_links, tip_link, tip_links
        from .services import on_metric_failed, on_metrics_failed

        hooks.register_course_lookup(course_link, many=course_links)
        hooks.register_tip_lookup(tip_link, many=tip_links)
        hooks.register_metric_failed(on_metric_failed)
        hooks.register_metrics_failed_many(on_metrics_failed)
        post_migrate.connect(seed_after_migrate, sender=self, dispatch_uid="courses.seed_after_migrate")
