"""The reports app's documents built in the background: the analytical reports of reports.kinds (found here by
vpr_portal.documents' discovery of each app's `printables` module)."""

from .generation import report_kinds

report_kinds()
