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

        # the management decisions beside a school's results (grading knows nothing of monitoring)
        from grading.panels import register_results_panel
        from monitoring.decision_panel import results_panel

        register_results_panel(results_panel)
