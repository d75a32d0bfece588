from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from backend.accounts import api as accounts_api
from backend.common.health import healthz
from backend.points import api as points_api
from contests import api as contests_api
from contests import api_participants as contests_api_participants
from courses import api as courses_api
from frontend import views as frontend_views
from orglife import api_urls as orglife_api_urls
from quizzes import api as quizzes_api
from quizzes import api_results as quizzes_api_results
from quizzes import api_urls as quizzes_api_urls
from supervision import api_explanations as supervision_api_explanations
from supervision import api_record as supervision_api_record
from supervision import api_reports as supervision_api_reports
from supervision import api_urls as supervision_api_urls

api_v1 = [
    path("auth/token/", accounts_api.TokenView.as_view(), name="auth-token"),
    path("me/", accounts_api.MeView.as_view(), name="me"),
    path("me/password/", accounts_api.MePasswordView.as_view(), name="me-password"),
    path("me/points/", points_api.MyPointEventsView.as_view(), name="me-points"),
    path("leaderboards/", points_api.LeaderboardView.as_view(), name="leaderboards"),
    path("me/study/", courses_api.MyStudyView.as_view(), name="me-study"),
    path("me/contests/", contests_api.MyContestsView.as_view(), name="me-contests"),
    path("members/", accounts_api.MemberListView.as_view(), name="member-list"),
    path("members/<int:pk>/", accounts_api.MemberDetailView.as_view(), name="member-detail"),
    path("branches/", accounts_api.BranchListView.as_view(), name="branch-list"),
    path("units/", accounts_api.UnitListView.as_view(), name="unit-list"),
    path("lectures/", courses_api.LectureListView.as_view(), name="lecture-list"),
    path("lectures/<int:pk>/", courses_api.LectureDetailView.as_view(), name="lecture-detail"),
    path(
        "lectures/<int:pk>/heartbeat/",
        courses_api.HeartbeatView.as_view(),
        name="lecture-heartbeat",
    ),
    path(
        "lectures/<int:pk>/complete/", courses_api.CompleteView.as_view(), name="lecture-complete"
    ),
    path(
        "lectures/<int:pk>/report/", courses_api.LectureReportView.as_view(), name="lecture-report"
    ),
    path("contests/", contests_api.ContestCreateView.as_view(), name="contest-create"),
    path(
        "contests/<int:pk>/results/",
        contests_api.ContestResultsView.as_view(),
        name="contest-results",
    ),
    *contests_api_participants.urlpatterns,
    path("quizzes/", quizzes_api.QuizListView.as_view(), name="quiz-list"),
    path("quizzes/<int:pk>/attempts/", quizzes_api.QuizAttemptView.as_view(), name="quiz-attempts"),
    path(
        "quizzes/<int:pk>/statistics/",
        quizzes_api.QuizStatisticsView.as_view(),
        name="quiz-statistics",
    ),
    path(
        "quizzes/<int:pk>/results/",
        quizzes_api_results.QuizResultsView.as_view(),
        name="quiz-results",
    ),
    path("attempts/<int:pk>/", quizzes_api.AttemptDetailView.as_view(), name="attempt-detail"),
    path(
        "attempts/<int:pk>/answers/<int:question_id>/",
        quizzes_api.AnswerView.as_view(),
        name="attempt-answer",
    ),
    path("attempts/<int:pk>/submit/", quizzes_api.SubmitView.as_view(), name="attempt-submit"),
    path("practice/daily/", quizzes_api.DailyPracticeView.as_view(), name="practice-daily"),
    path("practice/special/", quizzes_api.SpecialPracticeView.as_view(), name="practice-special"),
    path(
        "practice/mistakes/", quizzes_api.MistakesPracticeView.as_view(), name="practice-mistakes"
    ),
    path(
        "practice/categories/",
        quizzes_api.CategoryListView.as_view(),
        name="practice-categories",
    ),
    path("me/mistakes/", quizzes_api.MistakeListView.as_view(), name="me-mistakes"),
    *quizzes_api_urls.urlpatterns,
    *orglife_api_urls.urlpatterns,
    *supervision_api_record.urlpatterns,
    *supervision_api_urls.urlpatterns,
    *supervision_api_explanations.urlpatterns,
    *supervision_api_reports.urlpatterns,
    path(
        "reading-items/<int:pk>/check/",
        courses_api.ReadingCheckView.as_view(),
        name="reading-item-check",
    ),
]

urlpatterns = [
    path("", include("frontend.urls")),
    path("", include("courses.urls")),
    path("", include("quizzes.urls")),
    path("authoring/", include("quizzes.urls_authoring")),
    path("", include("contests.urls")),
    path("", include("orglife.urls")),
    path("", include("supervision.urls_record")),
    path("", include("supervision.urls")),
    path("", include("supervision.urls_dashboards")),
    path("", include("supervision.urls_explanations")),
    path("accounts/", include("backend.accounts.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", frontend_views.favicon),
]
