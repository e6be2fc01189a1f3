from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from . import boundary
        from .bulk import install_lookups
        from .permissions_setup import sync_role_groups

        install_lookups()
        boundary.install()
        boundary.install_total_rendering()
        post_migrate.connect(sync_role_groups, dispatch_uid="core.sync_role_groups")
