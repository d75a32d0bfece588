"""
The organisation tree (city → unit → branch → member) and the accounts.

The city is the deployment itself; units (部门单位) and branches (党支部) are
rows. Who may see or manage which rows is answered by ``backend.accounts.scope``
alone.
"""

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    MEMBER = "member", _("Member")
    SECRETARY = "secretary", _("Branch secretary")
    UNIT_ADMIN = "unit_admin", _("Unit admin")
    CITY_ADMIN = "city_admin", _("City admin")


#: Roles that belong to a branch (and so to its unit).
BRANCH_ROLES = (Role.MEMBER, Role.SECRETARY)


class Unit(models.Model):
    """A department or agency of the city (部门单位) with its own Party committee."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    short_name = models.CharField(_("short name"), max_length=30, blank=True)
    position = models.PositiveIntegerField(_("display order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self):
        return self.name


class Branch(models.Model):
    """A Party branch (党支部) inside a unit."""

    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="branches", verbose_name=_("unit")
    )
    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveIntegerField(_("display order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["unit__position", "unit__name", "position", "name"]
        verbose_name = _("branch")
        verbose_name_plural = _("branches")
        constraints = [
            models.UniqueConstraint(fields=["unit", "name"], name="branch_unique_name_in_unit"),
        ]

    def __str__(self):
        return f"{self.unit.name} · {self.name}"


class JiangtangUserManager(UserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        extra_fields.setdefault("role", Role.CITY_ADMIN)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """
    A person with an account. Members and secretaries belong to a branch (and
    ``unit`` is that branch's unit, kept in step by ``clean()`` so that unit-wide
    queries need no join); a unit admin belongs to a unit and may also be a
    member of one of its branches; a city admin need not belong anywhere.
    """

    display_name = models.CharField(_("full name"), max_length=50, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role, default=Role.MEMBER)
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("unit"),
    )
    branch = models.ForeignKey(
        Branch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("branch"),
    )
    must_change_password = models.BooleanField(
        _("must change password"),
        default=False,
        help_text=_("Set for imported accounts: the first sign-in asks for a new password."),
    )

    objects = JiangtangUserManager()

    class Meta:
        ordering = ["username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=~Q(role__in=BRANCH_ROLES) | Q(branch__isnull=False),
                name="user_branch_role_has_branch",
                violation_error_message=_("Members and secretaries must belong to a branch."),
            ),
            models.CheckConstraint(
                condition=~Q(role=Role.UNIT_ADMIN) | Q(unit__isnull=False),
                name="user_unit_admin_has_unit",
                violation_error_message=_("A unit admin must belong to a unit."),
            ),
            models.CheckConstraint(
                condition=Q(branch__isnull=True) | Q(unit__isnull=False),
                name="user_branch_implies_unit",
            ),
        ]

    def __str__(self):
        return f"{self.display_name} ({self.username})" if self.display_name else self.username

    @property
    def name(self) -> str:
        return self.display_name or self.username

    def get_full_name(self):
        return self.name

    def get_short_name(self):
        return self.name

    def clean(self):
        super().clean()
        if self.branch_id is not None:
            branch_unit_id = self.branch.unit_id
            if self.unit_id is None:
                self.unit_id = branch_unit_id
            elif self.unit_id != branch_unit_id:
                raise ValidationError(
                    {"branch": _("The branch does not belong to the selected unit.")}
                )
        if self.role in BRANCH_ROLES and self.branch_id is None:
            raise ValidationError({"branch": _("Members and secretaries must belong to a branch.")})
        if self.role == Role.UNIT_ADMIN and self.unit_id is None:
            raise ValidationError({"unit": _("A unit admin must belong to a unit.")})


class TokenActivity(models.Model):
    """
    When an API token (DRF's ``authtoken.Token``) was last used, for its sliding
    lifetime (``backend.accounts.tokens``). Written at most once every
    ``API_TOKEN_TOUCH_SECONDS`` per token; a token without a row counts as last
    used when it was issued.

    No database constraint on the key: a use written down just as a password
    change deletes the token must not fail that request. Deleting tokens through
    the ORM deletes their rows too (``on_delete``); a stray row left by that race
    names a key that no longer exists and is never read.
    """

    token = models.OneToOneField(
        "authtoken.Token",
        on_delete=models.CASCADE,
        primary_key=True,
        db_constraint=False,
        related_name="activity",
    )
    last_used_at = models.DateTimeField(_("last used"))

    class Meta:
        ordering = ["-last_used_at"]
        verbose_name = _("API token activity")
        verbose_name_plural = _("API token activity")

    def __str__(self):
        return f"{self.token_id[:8]}… {self.last_used_at:%Y-%m-%d %H:%M}"


# The receivers that delete a user's API tokens when the stored password hash
# changes (by any path: the password pages and API, the admin's reset, imports,
# seed_demo) live with the rest of the token rules; importing them here connects
# them wherever the models load (web, sockets, management commands).
from . import tokens  # noqa: E402, F401
