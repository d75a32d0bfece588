from django.urls import path

from . import views, views_participants

app_name = "contests"

urlpatterns = [
    path("contests/", views.contest_index, name="index"),
    path("contests/<int:pk>/host/", views.host_console, name="host"),
    path("contests/<int:pk>/screen/", views.big_screen, name="screen"),
    path("contests/<int:pk>/results/", views.results, name="results"),
    path(
        "contests/<int:pk>/participants/",
        views_participants.participants_page,
        name="participants",
    ),
    path("join/", views.join, name="join"),
    path("join/<str:pin>/", views.play, name="play"),
    path("me/contests/", views.my_contests, name="mine"),
]
