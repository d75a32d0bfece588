from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .models import Branch, Unit, User


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150, label=_("username"))
    password = serializers.CharField(
        max_length=4096, trim_whitespace=False, style={"input_type": "password"}
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


class PasswordChangeSerializer(serializers.Serializer):
    old_password = serializers.CharField(
        max_length=4096, trim_whitespace=False, style={"input_type": "password"}
    )
    new_password = serializers.CharField(
        max_length=4096, trim_whitespace=False, style={"input_type": "password"}
    )


class PasswordChangedSerializer(serializers.Serializer):
    detail = serializers.CharField()
    token = serializers.CharField(
        allow_null=True,
        help_text=_("A fresh API token when the call was made with one, else null."),
    )


class OrgRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class UnitSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ["id", "name", "short_name"]


class BranchSerializer(serializers.ModelSerializer):
    unit = OrgRefSerializer()

    class Meta:
        model = Branch
        fields = ["id", "name", "unit"]


class MemberSerializer(serializers.ModelSerializer):
    """A person as others in the org tree see them (no credentials, no flags)."""

    branch = OrgRefSerializer(allow_null=True)
    unit = OrgRefSerializer(allow_null=True)
    points = serializers.IntegerField(read_only=True, help_text=_("Total study points."))

    class Meta:
        model = User
        fields = ["id", "username", "display_name", "role", "branch", "unit", "points"]


class MeSerializer(MemberSerializer):
    must_change_password = serializers.BooleanField(read_only=True)
    points_today = serializers.IntegerField(read_only=True)

    class Meta(MemberSerializer.Meta):
        fields = [*MemberSerializer.Meta.fields, "points_today", "must_change_password"]
