"""
Organisational life in the admin: the compliance rules (the city admin edits how
often each kind is required), Party groups and committee seats, and read-only
lists of sessions, leave requests and make-up tasks. Every list is scoped by the
org tree (``backend.accounts.scope`` and ``orglife.scope``); the workflows
themselves (scheduling, check-in, leave, records) happen on the pages, through
the services, never by editing rows here.
"""

from django.contrib import admin

from backend.accounts import scope as org_scope
from backend.accounts.admin import ScopedAdminMixin

from . import scope
from .models import (
    CommitteeSeat,
    ComplianceRule,
    LeaveRequest,
    MakeupTask,
    PartyGroup,
    Session,
)


@admin.register(ComplianceRule)
class ComplianceRuleAdmin(admin.ModelAdmin):
    list_display = ["kind", "per", "times", "is_active"]
    list_editable = ["per", "times", "is_active"]
    readonly_fields = ["kind"]

    def has_add_permission(self, request):
        # One rule per kind, written by the data migration; a kind is switched off, not deleted.
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class BranchScopedAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Rows of the branches the user sees; changed only within those they manage."""

    list_select_related = ["branch", "branch__unit"]

    def visible_queryset(self, request):
        return self.model.objects.filter(
            branch__in=org_scope.branches_visible_to(request.user)
        ).select_related("branch", "branch__unit")

    def manageable_queryset(self, request):
        return self.model.objects.filter(branch__in=org_scope.branches_manageable_by(request.user))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "branch":
            kwargs["queryset"] = org_scope.branches_manageable_by(request.user).select_related(
                "unit"
            )
        elif db_field.name in ("member", "leader"):
            kwargs["queryset"] = org_scope.members_manageable_by(request.user).filter(
                is_active=True, branch__isnull=False
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "members":
            kwargs["queryset"] = org_scope.members_manageable_by(request.user).filter(
                is_active=True, branch__isnull=False
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(PartyGroup)
class PartyGroupAdmin(BranchScopedAdmin):
    list_display = ["name", "branch", "leader"]
    list_filter = [("branch__unit", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "branch__name"]
    filter_horizontal = ["members"]


@admin.register(CommitteeSeat)
class CommitteeSeatAdmin(BranchScopedAdmin):
    list_display = ["branch", "title", "member"]
    list_filter = [("branch__unit", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["title", "member__display_name", "member__username", "branch__name"]
    list_select_related = ["branch", "branch__unit", "member"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """A list to look things up in: nothing is added, changed or deleted here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Session)
class SessionAdmin(ReadOnlyAdmin):
    list_display = ["starts_at", "title", "kind", "branch", "unit", "host", "status"]
    list_filter = ["kind", "status", ("unit", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["title", "topic", "place", "branch__name"]
    date_hierarchy = "starts_at"
    list_select_related = ["branch", "unit", "host"]
    exclude = ["reading_items"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(pk__in=scope.sessions_visible_to(request.user).values("pk"))
        )


class SessionRowAdmin(ReadOnlyAdmin):
    """Rows that belong to a session the user sees."""

    list_select_related = ["session", "member"]
    search_fields = ["member__display_name", "member__username", "session__title"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(session__in=scope.sessions_visible_to(request.user).values("pk"))
        )


@admin.register(LeaveRequest)
class LeaveRequestAdmin(SessionRowAdmin):
    list_display = ["created_at", "member", "session", "reason", "status", "decided_by"]
    list_filter = ["status"]


@admin.register(MakeupTask)
class MakeupTaskAdmin(SessionRowAdmin):
    list_display = ["created_at", "member", "session", "on_leave", "status", "done_at"]
    list_filter = ["status", "on_leave"]
