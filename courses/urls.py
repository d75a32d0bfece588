from django.urls import path

from . import views

app_name = "courses"

urlpatterns = [
    path("lectures/", views.lecture_archive, name="archive"),
    path("lectures/<int:pk>/", views.lecture_page, name="lecture"),
    path("lectures/attachments/<int:pk>/<str:name>", views.attachment_download, name="attachment"),
    path("study/", views.my_study, name="my_study"),
    path("study/reports/", views.reports_index, name="reports"),
    path("study/reports/<int:pk>/", views.report_detail, name="report"),
]
