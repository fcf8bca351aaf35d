"""Writes of the procedures app, one module per capability (campaigns, schedules, plan, documents)."""
