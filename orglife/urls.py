"""Pages of organisational life (included by backend/urls.py)."""

urlpatterns: list = []
