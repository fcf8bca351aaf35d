"""The kinds of analytical reports: each module registers one with reports.generation.register_report (imported
by reports.generation.report_kinds, and so by the documents' discovery through reports/printables.py)."""
