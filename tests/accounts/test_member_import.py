"""Bulk member import from .xlsx: all-or-nothing, a row-by-row report, scoped."""

import io
import zipfile

import pytest
from django.contrib.auth import authenticate
from openpyxl import Workbook, load_workbook

from backend.accounts.member_import import ImportRefused, members_import_xlsx
from backend.accounts.models import User

pytestmark = pytest.mark.django_db
INITIAL = "Initial-Pass-2026"


def sheet(*rows, header=("姓名", "用户名", "单位", "支部", "角色")) -> bytes:
    workbook = Workbook()
    ws = workbook.active
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_good_sheet_creates_every_account(org):
    data = sheet(
        ("王小明", "wangxm", "市委组织部", "机关第一党支部", "党员"),
        ("李红", "lihong", "市委组织部", "机关第二党支部", "支部书记"),
        ("赵强", "zhaoq", "", "机关第二党支部", ""),
    )
    report = members_import_xlsx(data=data, actor=org.unit_admin, initial_password=INITIAL)
    assert report.ok, report.errors
    created = {
        u.username: u for u in User.objects.filter(username__in=["wangxm", "lihong", "zhaoq"])
    }
    assert created["wangxm"].branch == org.branch_a1 and created["wangxm"].unit == org.unit_a
    assert created["lihong"].role == "secretary"
    assert created["zhaoq"].role == "member" and created["zhaoq"].branch == org.branch_a2
    assert all(u.must_change_password for u in created.values())
    assert authenticate(username="wangxm", password=INITIAL) == created["wangxm"]


def test_duplicate_username_is_reported_and_nothing_is_written(org):
    before = User.objects.count()
    data = sheet(
        ("王小明", "wangxm", "市委组织部", "机关第一党支部", "党员"),
        ("重名", "member_a1", "市委组织部", "机关第一党支部", "党员"),  # exists
        ("大小写", "WANGXM", "市委组织部", "机关第一党支部", "党员"),  # repeats row 2
    )
    report = members_import_xlsx(data=data, actor=org.unit_admin, initial_password=INITIAL)
    assert not report.ok
    assert [(e.row, e.column) for e in report.errors] == [(3, "用户名"), (4, "用户名")]
    assert "member_a1" in report.errors[0].message
    assert "2" in report.errors[1].message
    assert User.objects.count() == before


def test_every_bad_row_is_reported(org):
    data = sheet(
        ("", "nobody", "市委组织部", "机关第一党支部", "党员"),
        ("坏用户名", "has space", "市委组织部", "机关第一党支部", "党员"),
        ("无支部", "nobranch", "市委组织部", "不存在的支部", "党员"),
        ("越权", "outside", "市财政局", "机关第一党支部", "党员"),
        ("角色", "badrole", "市委组织部", "机关第一党支部", "书记员"),
        ("提权", "toomuch", "市委组织部", "", "单位管理员"),
    )
    report = members_import_xlsx(data=data, actor=org.unit_admin, initial_password=INITIAL)
    got = [(e.row, e.column) for e in report.errors]
    assert got == [(2, "姓名"), (3, "用户名"), (4, "支部"), (5, "单位"), (6, "角色"), (7, "角色")]
    assert not User.objects.filter(username__in=["nobody", "nobranch", "outside"]).exists()


def test_branch_name_shared_by_two_units_needs_the_unit(org):
    data = sheet(("甲", "jia", "", "机关第一党支部", "党员"))
    report = members_import_xlsx(data=data, actor=org.city_admin, initial_password=INITIAL)
    assert [(e.row, e.column) for e in report.errors] == [(2, "支部")]
    data = sheet(("甲", "jia", "市财政局", "机关第一党支部", "党员"))
    report = members_import_xlsx(data=data, actor=org.city_admin, initial_password=INITIAL)
    assert report.ok
    assert User.objects.get(username="jia").branch == org.branch_b1


def test_formulas_are_read_as_text_not_evaluated(org):
    data = sheet(('=HYPERLINK("http://x")', "=1+1", "市委组织部", "机关第一党支部", "党员"))
    report = members_import_xlsx(data=data, actor=org.unit_admin, initial_password=INITIAL)
    assert [(e.row, e.column) for e in report.errors] == [(2, "用户名")]


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"MZ\x90\x00 not a spreadsheet", ".xlsx"),
        (sheet(header=("姓名", "用户名", "支部")), "no rows"),
        (sheet(("a", "b", "c"), header=("foo", "bar", "baz")), "姓名"),
    ],
)
def test_unreadable_files_are_refused(org, data, fragment):
    from django.utils import translation

    with translation.override("en"), pytest.raises(ImportRefused, match=fragment):
        members_import_xlsx(data=data, actor=org.unit_admin, initial_password=INITIAL)


def test_oversized_and_zip_bomb_files_are_refused(org, settings):
    settings.MEMBER_IMPORT_MAX_BYTES = 1000
    with pytest.raises(ImportRefused):
        members_import_xlsx(data=b"x" * 1001, actor=org.unit_admin, initial_password=INITIAL)
    settings.MEMBER_IMPORT_MAX_BYTES = 2 * 1024 * 1024
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (60 * 1024 * 1024))
    with pytest.raises(ImportRefused):
        members_import_xlsx(data=bomb.getvalue(), actor=org.unit_admin, initial_password=INITIAL)


# --- through the admin -------------------------------------------------------------------


def test_admin_import_page_reports_rows_and_keeps_db(org, client):
    client.force_login(org.unit_admin)
    upload = io.BytesIO(
        sheet(
            ("新人", "newbie", "市委组织部", "机关第一党支部", "党员"),
            ("重名", "secretary", "市委组织部", "机关第一党支部", "党员"),
        )
    )
    upload.name = "members.xlsx"
    before = User.objects.count()
    response = client.post(
        "/admin/accounts/user/import/", {"file": upload, "initial_password": INITIAL}
    )
    assert response.status_code == 200
    assert response.context["report"].errors[0].row == 3
    assert "import-errors" in response.content.decode()
    assert User.objects.count() == before


def test_admin_import_success_redirects(org, client):
    client.force_login(org.city_admin)
    upload = io.BytesIO(sheet(("新人", "newbie", "市财政局", "机关第一党支部", "党员")))
    upload.name = "members.xlsx"
    response = client.post(
        "/admin/accounts/user/import/", {"file": upload, "initial_password": INITIAL}
    )
    assert response.status_code == 302
    assert User.objects.get(username="newbie").branch == org.branch_b1


def test_admin_import_rejects_weak_initial_password(org, client):
    client.force_login(org.city_admin)
    upload = io.BytesIO(sheet(("新人", "newbie", "市财政局", "机关第一党支部", "党员")))
    upload.name = "members.xlsx"
    response = client.post(
        "/admin/accounts/user/import/", {"file": upload, "initial_password": "123"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["initial_password"]
    assert not User.objects.filter(username="newbie").exists()


def test_template_download_lists_own_branches(org, client):
    client.force_login(org.unit_admin)
    response = client.get("/admin/accounts/user/import/template.xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    assert [c.value for c in workbook.worksheets[0][1]] == [
        "姓名",
        "用户名",
        "单位",
        "支部",
        "角色",
    ]
    listed = {
        (row[0], row[1]) for row in workbook.worksheets[1].iter_rows(min_row=2, values_only=True)
    }
    assert listed == {("市委组织部", "机关第一党支部"), ("市委组织部", "机关第二党支部")}


def test_secretary_cannot_import(org, client):
    client.force_login(org.secretary)
    response = client.get("/admin/accounts/user/import/")
    assert response.status_code == 302
