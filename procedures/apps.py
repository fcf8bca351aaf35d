from django.apps import AppConfig


class ProceduresConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "procedures"

    def ready(self):
        from procedures.models import Assessment, Campaign
        from vpr_portal import catalogue

        catalogue.connect(Campaign, Assessment)  # rows a request resolves from its URL (vpr_portal/catalogue.py)
        # Plan-graph checkers register themselves on import; Celery workers never load the URLconf, so the
        # modules that read a stage's status from data are imported here for every process.
        from procedures import access  # noqa: F401  the organizer's rooms: the organizer's assigned scope
        from procedures.selectors import orders  # noqa: F401  ORDER_ISSUED
        from procedures.services import (
            participants,  # noqa: F401  CODES_ISSUED
            seating,  # noqa: F401  ROOMS_SET
        )
