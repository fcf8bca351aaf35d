"""Re-check URLs (part h); monitoring/urls.py includes them under the app's namespace."""

urlpatterns: list = []
