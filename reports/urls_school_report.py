"""The URLs of the school_report (filled by its module)."""

urlpatterns: list = []
