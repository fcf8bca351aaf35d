from django.apps import AppConfig


class SchoolsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "schools"

    def ready(self):
        from vpr_portal import catalogue

        from .accounts_cache import connect_signals
        from .models import Delegation, Department, School, Subject

        connect_signals()
        catalogue.connect(
            School, Department, Subject, Delegation
        )  # rows a request resolves from its URL, and who reaches them
