"""Re-check URLs (part g); monitoring/urls.py includes them under the app's namespace."""

urlpatterns: list = []
