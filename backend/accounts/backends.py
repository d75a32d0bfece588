from django.contrib.auth.backends import ModelBackend

from . import scope


class RoleBackend(ModelBackend):
    """
    Username/password authentication, with model permissions that follow the
    org-tree role (``scope.ROLE_PERMISSIONS``) in addition to any stored ones.
    """

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        return super().get_all_permissions(user_obj) | set(scope.role_permissions(user_obj))
