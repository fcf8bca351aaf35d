"""Writes of grading, one module per capability (scores, distribution, results form, uploads, retention)."""
