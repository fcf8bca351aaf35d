"""The URLs of the municipal_report (filled by its module)."""

urlpatterns: list = []
