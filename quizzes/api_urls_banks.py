"""API rows: banks (joined in quizzes.api_urls)."""

from django.urls import path

from . import api_banks

urlpatterns = [
    path("banks/", api_banks.BankListView.as_view(), name="bank-list"),
    path("banks/template/", api_banks.BankTemplateView.as_view(), name="bank-template"),
    path("banks/<int:pk>/import/", api_banks.BankImportView.as_view(), name="bank-import"),
    path("banks/<int:pk>/export/", api_banks.BankExportView.as_view(), name="bank-export"),
]
