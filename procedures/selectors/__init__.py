"""Reads of the procedures app, one module per capability, each starting from what the user may see."""
