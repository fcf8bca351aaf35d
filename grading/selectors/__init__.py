"""Reads of grading, each starting from what the user may see."""
