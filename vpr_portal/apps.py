from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VprPortalConfig(AppConfig):
    """The project package as an app: the background jobs and documents every other app uses (models,
    migrations, tasks)."""

    name = "vpr_portal"
    verbose_name = _("ВПР-портал")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import documents  # noqa: F401  registers the job kind that builds documents
