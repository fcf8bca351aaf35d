"""The department's entry to the re-check (monitoring/views_recheck_index.py): its campaigns with the links to
each re-check's pages. MANAGE_RECHECK: the department's specialists and municipal coordinators; every other role
403."""

from schools.access import Capability as C

from .base import Page

PAGES = {"monitoring:rechecks": Page(C.MANAGE_RECHECK)}
