"""The grading app's kinds of background job (discovered by vpr_portal.jobs): the results form's import."""

from vpr_portal.uploads import register_import

from .views_results import ResultsImportView

register_import(ResultsImportView)
