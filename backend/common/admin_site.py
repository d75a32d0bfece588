from functools import wraps
from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from backend.accounts import scope


class JiangtangAdminSite(admin.AdminSite):
    """
    The admin for the committee's staff.

    Who may enter is decided by the org-tree role (``scope.can_use_admin``), not
    by ``is_staff``; what each one sees inside is scoped by every ModelAdmin
    through the same module. There is one login page for the whole product.
    """

    site_header = _("Jiangtang administration")
    site_title = _("Jiangtang")
    index_title = _("Site administration")

    def has_permission(self, request):
        return scope.can_use_admin(request.user)

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        @wraps(inner)
        def guarded(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path(), reverse("accounts:login"))
            if not self.has_permission(request):
                raise PermissionDenied(_("Your role does not give access to the administration."))
            return inner(request, *args, **kwargs)

        return guarded

    def password_change(self, request, extra_context=None):
        # One password page for everyone: it also lifts "must change password".
        return HttpResponseRedirect(reverse("accounts:password_change"))

    def login(self, request, extra_context=None):
        if request.user.is_authenticated:
            # Signed in but without an admin role: a member never reaches the
            # admin, and sending them to the login page again would only confuse.
            raise PermissionDenied(_("Your role does not give access to the administration."))
        next_url = request.GET.get("next") or reverse("admin:index")
        return HttpResponseRedirect(f"{reverse('accounts:login')}?{urlencode({'next': next_url})}")
