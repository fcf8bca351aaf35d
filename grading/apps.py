from django.apps import AppConfig


class GradingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "grading"

    def ready(self):
        # The plan-graph's checker registers itself on import; Celery workers never load the URLconf, so the
        # module reading a stage's status from data is imported here for every process.
        from grading.selectors import uploads  # noqa: F401  RESULTS_UPLOADED
        from grading.services import catalogue_hooks

        # works and scores depend on an assessment; a safe catalogue change recomputes totals and marks
        catalogue_hooks.register()
