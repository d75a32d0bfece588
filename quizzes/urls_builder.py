"""Authoring pages: builder (joined in quizzes.urls_authoring)."""

urlpatterns = []
