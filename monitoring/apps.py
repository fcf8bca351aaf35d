from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "monitoring"

    def ready(self):
        # the public observer's assignments are the observer role's assigned scope
        from monitoring.access import observations_of
        from schools.access import Assignment, register_assignment
        from schools.models import Role

        register_assignment("observations", Assignment(Role.OBSERVER, observations_of, school_field="sitting__school"))
