"""
Bulk member import from an .xlsx sheet: all rows or none.

Every row is checked first; any error and nothing is written, and the report
names each bad row, the column and what is wrong. The parser is defended: a
size limit, a check of the zip's uncompressed size (against zip bombs; XML
entities are refused because defusedxml is installed, which openpyxl then uses),
and cells are read as their stored text, never evaluated.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from openpyxl import Workbook

from backend.common.xlsx import ImportRefused, RowError, read_sheet, workbook_bytes

from . import scope
from .models import BRANCH_ROLES, Role, User

#: Accepted header texts (Chinese first, English too) → field.
HEADERS = {
    "姓名": "display_name",
    "name": "display_name",
    "用户名": "username",
    "username": "username",
    "单位": "unit",
    "unit": "unit",
    "支部": "branch",
    "党支部": "branch",
    "branch": "branch",
    "角色": "role",
    "role": "role",
}
REQUIRED = ("display_name", "username")
COLUMN_TITLES = {
    "display_name": "姓名",
    "username": "用户名",
    "unit": "单位",
    "branch": "支部",
    "role": "角色",
}
ROLE_WORDS = {
    "": Role.MEMBER,
    "党员": Role.MEMBER,
    "member": Role.MEMBER,
    "支部书记": Role.SECRETARY,
    "书记": Role.SECRETARY,
    "组织委员": Role.SECRETARY,
    "secretary": Role.SECRETARY,
    "单位管理员": Role.UNIT_ADMIN,
    "unit_admin": Role.UNIT_ADMIN,
    "市直机关工委管理员": Role.CITY_ADMIN,
    "city_admin": Role.CITY_ADMIN,
}


@dataclass
class ImportReport:
    created: list[User] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _read_rows(data: bytes) -> tuple[dict[str, int], list[tuple[int, list[str]]]]:
    header, body = read_sheet(
        data,
        max_bytes=settings.MEMBER_IMPORT_MAX_BYTES,
        max_rows=settings.MEMBER_IMPORT_MAX_ROWS,
    )
    if not header:
        raise ImportRefused(_("The sheet is empty."))
    columns: dict[str, int] = {}
    for index, title in enumerate(header):
        key = HEADERS.get(title.lower())
        if key and key not in columns:
            columns[key] = index
    missing = [COLUMN_TITLES[name] for name in REQUIRED if name not in columns]
    if "branch" not in columns and "unit" not in columns:
        missing.append(COLUMN_TITLES["branch"])
    if missing:
        raise ImportRefused(
            _("The header row lacks the column(s): %(columns)s.") % {"columns": "、".join(missing)}
        )
    if not body:
        raise ImportRefused(_("The sheet has a header but no rows."))
    return columns, body


def members_import_xlsx(*, data: bytes, actor: User, initial_password: str) -> ImportReport:
    """
    Validates every row of the sheet against what ``actor`` may manage, then
    creates all accounts in one transaction, or none when any row is wrong.
    ``initial_password`` must already be validated; each new account must
    change it at the first sign-in.
    """
    columns, body = _read_rows(data)
    report = ImportReport()
    allowed_roles = set(scope.assignable_roles(actor))
    branches = list(scope.branches_manageable_by(actor).select_related("unit"))
    units = {u.name: u for u in scope.units_manageable_by(actor)}
    username_validator = UnicodeUsernameValidator()
    seen: dict[str, int] = {}
    usernames = [row[columns["username"]] for _n, row in body if columns["username"] < len(row)]
    existing = set(
        User.objects.annotate(lowered=Lower("username"))
        .filter(lowered__in=[u.lower() for u in usernames if u])
        .values_list("lowered", flat=True)
    )
    password_hash = make_password(initial_password)
    to_create: list[User] = []

    def cell(row: list[str], name: str) -> str:
        index = columns.get(name)
        return row[index] if index is not None and index < len(row) else ""

    for number, row in body:
        errors_before = len(report.errors)

        def error(column: str, message: str, number=number):
            report.errors.append(RowError(number, COLUMN_TITLES[column], message))

        name = cell(row, "display_name")
        username = cell(row, "username")
        unit_name = cell(row, "unit")
        branch_name = cell(row, "branch")
        role = ROLE_WORDS.get(cell(row, "role").lower())

        if not name:
            error("display_name", _("The name is empty."))
        elif len(name) > 50:
            error("display_name", _("The name is longer than 50 characters."))
        if not username:
            error("username", _("The username is empty."))
        else:
            try:
                username_validator(username)
                if len(username) > 150:
                    raise ValidationError("too long")
            except ValidationError:
                error(
                    "username", _("Only letters, digits and @ . + - _ are allowed (at most 150).")
                )
            else:
                if username.lower() in existing:
                    error("username", _("The username %(u)s already exists.") % {"u": username})
                elif username.lower() in seen:
                    error(
                        "username",
                        _("The username %(u)s is also on row %(row)d.")
                        % {"u": username, "row": seen[username.lower()]},
                    )
                seen.setdefault(username.lower(), number)
        if role is None:
            error(
                "role",
                _("Unknown role %(r)s; use 党员, 支部书记 or 单位管理员.")
                % {"r": cell(row, "role")},
            )
        elif role not in allowed_roles:
            error("role", _("You may not give the role %(r)s.") % {"r": Role(role).label})

        unit = branch = None
        if unit_name:
            unit = units.get(unit_name)
            if unit is None:
                error(
                    "unit",
                    _("Unit %(u)s does not exist or is not yours to manage.") % {"u": unit_name},
                )
        if branch_name:
            matches = [
                b
                for b in branches
                if b.name == branch_name and (unit is None or b.unit_id == unit.pk)
            ]
            if not matches and not (unit_name and unit is None):
                error(
                    "branch",
                    _("Branch %(b)s does not exist or is not yours to manage.")
                    % {"b": branch_name},
                )
            elif len(matches) > 1:
                error(
                    "branch",
                    _("Several units have a branch %(b)s; fill in the unit column.")
                    % {"b": branch_name},
                )
            elif matches:
                branch = matches[0]
                unit = branch.unit
        elif role in BRANCH_ROLES:
            error("branch", _("Members and secretaries need a branch."))
        elif role == Role.UNIT_ADMIN and unit is None and not unit_name:
            error("unit", _("A unit admin needs a unit."))

        if len(report.errors) == errors_before:
            to_create.append(
                User(
                    username=username,
                    display_name=name,
                    role=role,
                    unit=unit,
                    branch=branch,
                    password=password_hash,
                    must_change_password=True,
                )
            )

    if report.errors:
        return report
    try:
        with transaction.atomic():
            report.created = User.objects.bulk_create(to_create)
    except IntegrityError:
        # A username taken between the check and the insert: nothing was written.
        report.errors.append(
            RowError(
                0, "", _("Another import created some of these usernames just now; try again.")
            )
        )
    return report


def member_import_template(*, actor: User) -> bytes:
    """An .xlsx with the header, an example row per role and the actor's branches."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "党员名单"
    sheet.append(["姓名", "用户名", "单位", "支部", "角色"])
    branches = list(scope.branches_manageable_by(actor).select_related("unit")[:2])
    example_unit = branches[0].unit.name if branches else "市委组织部"
    example_branch = branches[0].name if branches else "第一党支部"
    sheet.append(["张三", "zhangsan", example_unit, example_branch, "党员"])
    sheet.append(["李四", "lisi", example_unit, example_branch, "支部书记"])
    for column, width in zip("ABCDE", (12, 16, 24, 20, 12), strict=True):
        sheet.column_dimensions[column].width = width
    listing = workbook.create_sheet("可选支部")
    listing.append(["单位", "支部"])
    for branch in scope.branches_manageable_by(actor).select_related("unit"):
        listing.append([branch.unit.name, branch.name])
    return workbook_bytes(workbook)
