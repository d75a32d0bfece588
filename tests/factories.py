"""Test data built the way the product builds it."""

import itertools

from backend.accounts.models import Branch, Role, Unit, User

_seq = itertools.count(1)
PASSWORD = "correct-horse-42"


def make_unit(name: str | None = None) -> Unit:
    return Unit.objects.create(name=name or f"单位{next(_seq)}")


def make_branch(unit: Unit | None = None, name: str | None = None) -> Branch:
    return Branch.objects.create(unit=unit or make_unit(), name=name or f"第{next(_seq)}党支部")


def make_user(
    role: str = Role.MEMBER,
    *,
    branch: Branch | None = None,
    unit: Unit | None = None,
    username: str | None = None,
    display_name: str = "",
    password: str = PASSWORD,
    **extra,
) -> User:
    if role in (Role.MEMBER, Role.SECRETARY) and branch is None:
        branch = make_branch(unit)
    if branch is not None:
        unit = branch.unit
    if role == Role.UNIT_ADMIN and unit is None:
        unit = make_unit()
    user = User(
        username=username or f"user{next(_seq)}",
        display_name=display_name or f"测试{next(_seq)}",
        role=role,
        unit=unit,
        branch=branch,
        **extra,
    )
    user.set_password(password)
    user.full_clean()
    user.save()
    return user
