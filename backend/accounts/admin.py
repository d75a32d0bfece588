"""
The accounts admin, scoped by the org tree: every queryset, every choice list
and every object permission comes from ``backend.accounts.scope``.
"""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import (
    AdminPasswordChangeForm,
    AdminUserCreationForm,
    UserChangeForm,
)
from django.db.models import Count, F, Value
from django.db.models.functions import Coalesce
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from backend.common.xlsx import xlsx_response

from . import scope
from .forms import MemberImportForm
from .member_import import ImportRefused, member_import_template, members_import_xlsx
from .models import Branch, Unit, User


class ScopedAdminMixin:
    """Rows outside the user's scope do not exist for them in the admin."""

    def visible_queryset(self, request):
        raise NotImplementedError

    def manageable_queryset(self, request):
        raise NotImplementedError

    def get_queryset(self, request):
        qs = self.visible_queryset(request)
        ordering = self.get_ordering(request)
        return qs.order_by(*ordering) if ordering else qs

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        if allowed and obj is not None:
            return self.manageable_queryset(request).filter(pk=obj.pk).exists()
        return allowed

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        if allowed and obj is not None:
            return self.manageable_queryset(request).filter(pk=obj.pk).exists()
        return allowed


@admin.register(Unit)
class UnitAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "short_name", "branch_count", "member_count", "is_active", "position"]
    list_editable = ["position"]
    search_fields = ["name", "short_name"]
    list_filter = ["is_active"]

    def visible_queryset(self, request):
        return scope.units_visible_to(request.user).annotate(
            n_branches=Count("branches", distinct=True), n_members=Count("users", distinct=True)
        )

    def manageable_queryset(self, request):
        return scope.units_manageable_by(request.user)

    @admin.display(description=_("branches"), ordering="n_branches")
    def branch_count(self, obj):
        return obj.n_branches

    @admin.display(description=_("people"), ordering="n_members")
    def member_count(self, obj):
        return obj.n_members


@admin.register(Branch)
class BranchAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "unit", "member_count", "is_active", "position"]
    list_filter = [("unit", admin.RelatedOnlyFieldListFilter), "is_active"]
    search_fields = ["name", "unit__name"]
    list_select_related = ["unit"]

    def visible_queryset(self, request):
        return scope.branches_visible_to(request.user).annotate(n_members=Count("members"))

    def manageable_queryset(self, request):
        return scope.branches_manageable_by(request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "unit":
            kwargs["queryset"] = scope.units_manageable_by(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("members"), ordering="n_members")
    def member_count(self, obj):
        return obj.n_members


class ScopedUserFormMixin:
    """Limits the unit, branch and role choices to what the editing user may give."""

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        if actor is None:
            return
        if "unit" in self.fields:
            self.fields["unit"].queryset = scope.units_manageable_by(actor)
        if "branch" in self.fields:
            self.fields["branch"].queryset = scope.branches_manageable_by(actor).select_related(
                "unit"
            )
        if "role" in self.fields:
            self.fields["role"].choices = [
                (r.value, r.label) for r in scope.assignable_roles(actor)
            ]


class PasswordResetByAdminForm(AdminPasswordChangeForm):
    """An admin sets someone's password: the owner must replace it at the next sign-in."""

    def save(self, commit=True):
        self.user.must_change_password = True
        return super().save(commit=commit)


class UserAddForm(ScopedUserFormMixin, AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ["username", "display_name", "role", "unit", "branch"]


class UserEditForm(ScopedUserFormMixin, UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(ScopedAdminMixin, DjangoUserAdmin):
    form = UserEditForm
    add_form = UserAddForm
    change_password_form = PasswordResetByAdminForm
    change_list_template = "admin/accounts/user/change_list.html"
    list_display = ["username", "display_name", "role", "unit", "branch", "points", "is_active"]
    list_filter = [
        "role",
        "is_active",
        ("unit", admin.RelatedOnlyFieldListFilter),
        ("branch", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["username", "display_name"]
    list_select_related = ["unit", "branch"]
    ordering = ["unit__position", "branch__position", "username"]
    readonly_fields = ["last_login", "date_joined"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Person"), {"fields": ["display_name", "role", "unit", "branch"]}),
        (
            _("Status"),
            {"fields": ["is_active", "must_change_password", "last_login", "date_joined"]},
        ),
    ]
    superuser_fieldsets = [
        (_("Superuser"), {"fields": ["is_staff", "is_superuser", "groups", "user_permissions"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": [
                    "username",
                    "display_name",
                    "role",
                    "unit",
                    "branch",
                    "password1",
                    "password2",
                ],
            },
        ),
    ]

    def visible_queryset(self, request):
        return scope.members_visible_to(request.user).annotate(
            point_total=Coalesce(F("point_balance__total"), Value(0))
        )

    def manageable_queryset(self, request):
        return scope.members_manageable_by(request.user)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and request.user.is_superuser:
            fieldsets = [*fieldsets, *self.superuser_fieldsets]
        return fieldsets

    def get_form(self, request, obj=None, **kwargs):
        form_class = super().get_form(request, obj, **kwargs)
        actor = request.user

        class BoundForm(form_class):
            def __init__(self, *args, **kw):
                super().__init__(*args, actor=actor, **kw)

        return BoundForm

    def has_delete_permission(self, request, obj=None):
        # People are deactivated, never deleted: their ledger and results stay.
        return False

    @admin.display(description=_("points"), ordering="point_total")
    def points(self, obj):
        return obj.point_total

    # --- bulk import -------------------------------------------------------------

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="accounts_user_import",
            ),
            path(
                "import/template.xlsx",
                self.admin_site.admin_view(self.import_template_view),
                name="accounts_user_import_template",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request):
        if not self.has_add_permission(request):
            return redirect("admin:index")
        report = None
        refused = None
        if request.method == "POST":
            form = MemberImportForm(request.POST, request.FILES)
            if form.is_valid():
                try:
                    report = members_import_xlsx(
                        data=form.cleaned_data["file"].read(),
                        actor=request.user,
                        initial_password=form.cleaned_data["initial_password"],
                    )
                except ImportRefused as exc:
                    refused = str(exc)
                else:
                    if report.ok:
                        messages.success(
                            request,
                            _(
                                "Imported %(n)d accounts. Each must change the initial password "
                                "at the first sign-in."
                            )
                            % {"n": len(report.created)},
                        )
                        return redirect(reverse("admin:accounts_user_changelist"))
        else:
            form = MemberImportForm()
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import members from Excel"),
            "opts": self.model._meta,
            "form": form,
            "report": report,
            "refused": refused,
        }
        return TemplateResponse(request, "admin/accounts/user/import.html", context)

    def import_template_view(self, request):
        if not self.has_add_permission(request):
            return redirect("admin:index")
        return xlsx_response(member_import_template(actor=request.user), "党员导入模板.xlsx")
