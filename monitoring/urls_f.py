"""Re-check URLs (part f); monitoring/urls.py includes them under the app's namespace."""

urlpatterns: list = []
