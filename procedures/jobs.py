"""The procedures app's kinds of background job (discovered by vpr_portal.jobs): the catalogue's and the class
distribution's imports."""

from vpr_portal.uploads import register_import

from .views.campaigns import CatalogueLoadView
from .views.schedules import AssignmentImportView

register_import(CatalogueLoadView, AssignmentImportView)
