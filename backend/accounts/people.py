"""
A person as the per-person lists show them (成绩单, contest participants): read
with ``values(*PERSON_FIELDS)`` from ``User`` (or the same fields under a prefix
such as ``member__`` from a row that points at a member), without model instances.
"""

from __future__ import annotations

from dataclasses import dataclass

PERSON_FIELDS = (
    "pk",
    "display_name",
    "username",
    "branch_id",
    "branch__name",
    "branch__unit__name",
)


@dataclass
class Person:
    id: int
    name: str
    username: str
    branch_id: int | None
    branch: str
    unit: str


def person_from(row: dict, prefix: str = "") -> Person:
    """A person from ``values(*PERSON_FIELDS)``, or with ``prefix="member__"`` from a
    row's ``values("member_id", "member__display_name", …)``."""
    return Person(
        id=row["member_id"] if prefix else row["pk"],
        name=row[f"{prefix}display_name"] or row[f"{prefix}username"],
        username=row[f"{prefix}username"],
        branch_id=row[f"{prefix}branch_id"],
        branch=row[f"{prefix}branch__name"] or "",
        unit=row[f"{prefix}branch__unit__name"] or "",
    )


def person_dict(person: Person) -> dict:
    """The person's part of an API row: ``{member: {id, name, username}, branch, unit}``."""
    return {
        "member": {"id": person.id, "name": person.name, "username": person.username},
        "branch": person.branch,
        "unit": person.unit,
    }
