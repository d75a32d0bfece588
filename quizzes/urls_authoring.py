"""The authoring pages (题库与组卷, desktop first): ``/authoring/…``. Each part keeps its
routes in its own module; this one joins them under the ``authoring`` namespace."""

from . import urls_banks, urls_builder, urls_questions

app_name = "authoring"

urlpatterns = [
    *urls_banks.urlpatterns,
    *urls_questions.urlpatterns,
    *urls_builder.urlpatterns,
]
