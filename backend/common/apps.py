from django.contrib.admin.apps import AdminConfig


class JiangtangAdminConfig(AdminConfig):
    """The Django admin, with the site that applies the org-tree roles."""

    default_site = "backend.common.admin_site.JiangtangAdminSite"
