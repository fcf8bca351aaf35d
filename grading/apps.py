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

        # the expert's works are the expert role's assigned scope
        from grading.selectors.entry import works_of_expert
        from schools.access import Assignment, register_assignment
        from schools.models import Role

        register_assignment("works", Assignment(Role.EXPERT, works_of_expert))
