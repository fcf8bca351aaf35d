"""The schools app's kinds of background job (discovered by vpr_portal.jobs): its imports of large files."""

from vpr_portal.uploads import register_import

from .views import PupilImportView, SchoolImportView

register_import(SchoolImportView, PupilImportView)
