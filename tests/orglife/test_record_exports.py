"""The record book as .xlsx and PDF: one session, a branch's year; fonts; escaping."""

import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from openpyxl import load_workbook
from pypdf import PdfReader

from orglife import records
from orglife.exports import labels
from orglife.models import Session

from .test_record import held_session, signed

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> str:
    """The PDF's text; a name such as 测试15 comes out as "测试 15" (the digits are set
    in another font), so spaces are dropped."""
    pages = PdfReader(io.BytesIO(data)).pages
    return "\n".join(page.extract_text() for page in pages).replace(" ", "")


def cells(data: bytes, sheet: str) -> list[list]:
    book = load_workbook(io.BytesIO(data))
    return [list(row) for row in book[sheet].iter_rows(values_only=True)]


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_pdf_of_a_session_is_chinese_with_an_embedded_noto_font(org, client):
    session = held_session(org)
    signed(org, session, minutes="## 议程\n\n- 学习《中国共产党章程》\n- 交流发言")
    records.record_amend(session=session, by=org.secretary, reason="补记", decisions="决议三")
    client.force_login(session.people["张三"])
    response = client.get(f"/orglife/sessions/{session.pk}/record.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    data = body(response)
    assert data.startswith(b"%PDF")
    assert b"NotoSerifCJK" in data or b"NotoSansCJK" in data
    text = pdf_text(data)
    for expected in ("十一月主题党日", "三楼会议室", "学习《中国共产党章程》", "赵六", "李四"):
        assert expected in text, expected
    assert "修正记录" in text and "补记" in text and "决议三" in text
    assert org.secretary.name in text  # the signature line


def test_user_text_is_never_read_as_typst_markup(org, api_as):
    title = '#panic("x")][*粗*$x$\\#set page(width:1cm)'
    session = held_session(org, title=title)
    signed(org, session, minutes='文中#include "/etc/passwd"与#eval("1+1")\n\n<script>x</script>')
    response = api_as(org.secretary).get(f"/api/v1/sessions/{session.pk}/record/?format=pdf")
    assert response.status_code == 200
    text = pdf_text(body(response))
    assert title.replace(" ", "") in text and '#include"/etc/passwd"与#eval("1+1")' in text
    assert "root:" not in text and "<script>" not in text


def test_the_workbook_holds_the_names_and_counts_the_page_shows(org, client):
    session = held_session(org)
    signed(org, session, minutes='=HYPERLINK("http://x")\n\n会议纪要', decisions="决议一")
    client.force_login(org.secretary)
    page = client.get(f"/orglife/sessions/{session.pk}/record/").content.decode()
    response = client.get(f"/orglife/sessions/{session.pk}/record.xlsx")
    assert response.status_code == 200
    data = body(response)
    contents = cells(data, "目录")
    # expected 7: present 2, late 1, on leave 1, absent 3 (as the page's counts)
    assert contents[2][:3] == [
        timezone.localtime(session.starts_at).strftime("%Y-%m-%d %H:%M"),
        "主题党日",
        "十一月主题党日",
    ]
    assert contents[2][4:9] == [7, 2, 1, 1, 3]
    for testid, n in (("expected", 7), ("present", 2), ("late", 1), ("on-leave", 1), ("absent", 3)):
        assert f'data-testid="count-{testid}">{n}<' in page
    people = {(row[2], row[3]) for row in cells(data, "出勤")[1:]}
    with translation.override("zh-hans"):
        said = labels()
    assert (said["late"], "李四") in people and (said["on_leave"], "赵六") in people
    assert (said["absent"], "钱七") in people and (said["present"], "张三") in people
    assert (said["present"], "王五（主持人代签到）") in people
    flat = [value for row in cells(data, "记录") for value in row if isinstance(value, str)]
    assert "决议一" in flat
    assert not any(value.startswith("=") for value in flat)  # no formula from a user's text


def test_the_branch_year_book_has_a_cover_a_table_and_one_section_each(org, client):
    now = timezone.now()
    first = held_session(org, title="一月支部党员大会")
    january = timezone.localtime(now).replace(month=1, day=15, hour=9)
    Session.objects.filter(pk=first.pk).update(
        starts_at=january, ends_at=january + timedelta(hours=2)
    )
    second = held_session(org, title="十一月主题党日")
    signed(org, second)
    client.force_login(org.unit_admin)
    year = timezone.localtime(now).year
    url = f"/orglife/branches/{org.branch_a1.pk}/record-book/{year}"

    def fetch(suffix):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url + suffix)
        assert response.status_code == 200
        return body(response), len(queries)

    pdf, pdf_queries = fetch(".pdf")
    text = pdf_text(pdf)
    assert "党组织活动和党员学习教育记录簿" in text and org.branch_a1.name in text
    assert text.index("一月支部党员大会") < text.index("十一月主题党日")
    assert "尚未签字确认" in text  # the first one was never signed
    workbook, xlsx_queries = fetch(".xlsx")
    titles = [row[2] for row in cells(workbook, "目录")[2:]]
    assert titles == ["一月支部党员大会", "十一月主题党日"]
    # more sessions, the same number of queries
    for n in range(3):
        signed(org, held_session(org, title=f"补充活动{n}"))
    assert fetch(".pdf")[1] == pdf_queries
    assert fetch(".xlsx")[1] == xlsx_queries
    # the secretary of the branch may export it too, a year out of range is 404
    client.force_login(org.secretary)
    assert client.get(url + ".xlsx").status_code == 200
    assert (
        client.get(f"/orglife/branches/{org.branch_a1.pk}/record-book/1999.xlsx").status_code == 404
    )


def test_without_the_cjk_fonts_the_pdf_is_a_clear_503(org, client, api_as, settings, tmp_path):
    session = held_session(org)
    signed(org, session)
    settings.ORGLIFE_PDF_FONT_PATHS = [str(tmp_path / "no-fonts")]
    client.force_login(org.secretary)
    page = client.get(f"/orglife/sessions/{session.pk}/record.pdf")
    assert page.status_code == 503 and "中文字体" in page.content.decode()
    api = api_as(org.secretary).get(f"/api/v1/sessions/{session.pk}/record/?format=pdf")
    assert api.status_code == 503
    assert api.json()["code"] == "fonts_missing" and "中文字体" in api.json()["detail"]
    # the workbook needs no fonts
    assert client.get(f"/orglife/sessions/{session.pk}/record.xlsx").status_code == 200


def test_a_session_not_yet_begun_is_not_in_the_year(org, client):
    held_session(org, hours_ago=-(24 * 3), title="下周的主题党日")
    client.force_login(org.secretary)
    year = timezone.localtime(timezone.now() + timedelta(days=3)).year
    response = client.get(f"/orglife/branches/{org.branch_a1.pk}/record-book/{year}.xlsx")
    assert response.status_code == 200
    assert [row[2] for row in cells(body(response), "目录")[2:]] == []
