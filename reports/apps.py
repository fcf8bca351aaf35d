from django.apps import AppConfig


class ReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reports"

    def ready(self) -> None:
        from grading.panels import register_results_panel

        from .results_panel import school_report_panel

        register_results_panel(school_report_panel)
