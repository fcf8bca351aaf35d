"""Views of the procedures app, one module per capability; each module ends with its `urlpatterns`."""
