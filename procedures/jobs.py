"""The procedures app's kinds of background job (discovered by vpr_portal.jobs): the catalogue's import."""

from vpr_portal.uploads import register_import

from .views.campaigns import CatalogueLoadView

register_import(CatalogueLoadView)
