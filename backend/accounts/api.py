"""The accounts API: token sign-in, the caller's profile and password, the org tree."""

from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.common.api import ErrorSerializer
from backend.points.selectors import points_on_day, points_total

from . import selectors, services, throttle, tokens
from .serializers import (
    BranchSerializer,
    MemberSerializer,
    MeSerializer,
    PasswordChangedSerializer,
    PasswordChangeSerializer,
    TokenRequestSerializer,
    TokenSerializer,
    UnitSerializer,
)


class SignInLocked(APIException):
    """429 with Retry-After (DRF's handler sets the header from ``wait``)."""

    status_code = 429
    default_code = "locked"

    def __init__(self, locked: throttle.LoginLocked):
        self.wait = locked.retry_after
        super().__init__(
            _("Too many wrong passwords; sign-in is locked for %(minutes)s minutes.")
            % {"minutes": locked.minutes}
        )


class TokenView(APIView):
    """Exchange a username and password for an API token (locked after a burst of failures)."""

    permission_classes = [AllowAny]
    authentication_classes = []
    allowed_before_password_change = True

    @extend_schema(
        request=TokenRequestSerializer,
        responses={200: TokenSerializer, 400: ErrorSerializer, 429: ErrorSerializer},
        auth=[],
    )
    def post(self, request):
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            user = services.user_authenticate(
                request=request,
                username=data.validated_data["username"],
                password=data.validated_data["password"],
            )
        except throttle.LoginLocked as locked:
            raise SignInLocked(locked) from None
        except services.InvalidCredentials as wrong:
            raise ValidationError({"detail": str(wrong)}) from None
        services.user_signed_in(user=user)
        token = tokens.token_for_sign_in(user=user)
        return Response(TokenSerializer({"token": token.key}).data)


class MeView(APIView):
    """The caller: identity, place in the org tree, study points."""

    allowed_before_password_change = True

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        user = request.user
        user.points = points_total(member=user)
        user.points_today = points_on_day(member=user)
        return Response(MeSerializer(user).data)


class MePasswordView(APIView):
    """
    Change the caller's password (also the way out of ``password_change_required``).
    The current password is checked under the sign-in lockout; the new one by the
    password validators. Every earlier token of the caller dies; a caller signed
    in by token gets a fresh one, a session stays signed in.
    """

    allowed_before_password_change = True

    @extend_schema(
        request=PasswordChangeSerializer,
        responses={200: PasswordChangedSerializer, 400: ErrorSerializer, 429: ErrorSerializer},
    )
    def post(self, request):
        user = request.user
        data = PasswordChangeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            services.user_authenticate(
                request=request,
                username=user.username,
                password=data.validated_data["old_password"],
            )
        except throttle.LoginLocked as locked:
            raise SignInLocked(locked) from None
        except services.InvalidCredentials:
            raise ValidationError(
                {
                    "old_password": [
                        _("Your old password was entered incorrectly. Please enter it again.")
                    ]
                }
            ) from None
        new_password = data.validated_data["new_password"]
        try:
            validate_password(new_password, user)
        except DjangoValidationError as invalid:
            raise ValidationError({"new_password": list(invalid.messages)}) from None
        services.user_set_password(user=user, password=new_password)
        token = None
        if isinstance(request.auth, Token):
            token = tokens.token_for_sign_in(user=user).key
        else:
            update_session_auth_hash(request._request, user)
        return Response(
            PasswordChangedSerializer(
                {"detail": _("Your password has been changed."), "token": token}
            ).data
        )


@extend_schema(
    parameters=[
        OpenApiParameter("q", OpenApiTypes.STR, description="Search by name or username."),
        OpenApiParameter("branch", OpenApiTypes.INT, description="Only this branch."),
    ]
)
class MemberListView(generics.ListAPIView):
    """People the caller may see: a secretary the own branch, a unit admin the own unit."""

    serializer_class = MemberSerializer

    def get_queryset(self):
        branch = self.request.query_params.get("branch")
        if branch is not None and not branch.isdigit():
            raise ValidationError({"branch": [_("A branch id is a whole number.")]})
        return selectors.member_list_for_user(
            user=self.request.user,
            query=self.request.query_params.get("q", "").strip(),
            branch_id=int(branch) if branch else None,
        )


class MemberDetailView(generics.RetrieveAPIView):
    """One person; 404 for anyone outside the caller's scope."""

    serializer_class = MemberSerializer

    def get_object(self):
        return get_object_or_404(
            selectors.member_list_for_user(user=self.request.user), pk=self.kwargs["pk"]
        )


class BranchListView(generics.ListAPIView):
    serializer_class = BranchSerializer

    def get_queryset(self):
        return selectors.branch_list_for_user(user=self.request.user)


class UnitListView(generics.ListAPIView):
    serializer_class = UnitSerializer

    def get_queryset(self):
        return selectors.unit_list_for_user(user=self.request.user)
