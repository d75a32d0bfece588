"""Authoring pages: banks (joined in quizzes.urls_authoring)."""

urlpatterns = []
