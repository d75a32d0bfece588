"""API rows: rules (joined in quizzes.api_urls)."""

urlpatterns = []
