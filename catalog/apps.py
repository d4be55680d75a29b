from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _load_scenarios(sender, using="default", **kwargs) -> None:
    """Every database carries the shipped scenario taxonomy: after migrate, and after a test flush."""
    from .services import sync_scenarios

    if using == "default":
        sync_scenarios()


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = "资源池"

    def ready(self) -> None:
        post_migrate.connect(_load_scenarios, sender=self, dispatch_uid="catalog.load_scenarios")
