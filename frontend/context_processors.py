from django.conf import settings

from backend.accounts import scope


def site(request):
    user = getattr(request, "user", None)
    return {
        "city_name": settings.JIANGTANG_CITY_NAME,
        "can_use_admin": bool(user is not None and scope.can_use_admin(user)),
    }
