"""Re-check URLs (part i); monitoring/urls.py includes them under the app's namespace."""

urlpatterns: list = []
