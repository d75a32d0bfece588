"""The authoring pages for banks (/authoring/banks/…) and the import with a preview:
who may see them, the banks list and overview, upload → preview → (mapping) →
confirm, once, all or nothing."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from quizzes.models import Question, QuestionBank, QuestionImport

from ..factories import make_bank, make_question
from ..text_words import english_words, visible_text

pytestmark = pytest.mark.django_db

OURS = ["题型", "题干", "选项A", "选项B", "选项C", "选项D", "答案", "解析", "难度", "分类"]


def xlsx(rows, header=OURS, title=None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    if title:
        sheet.append([title])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(client, bank, data: bytes, name="题库.xlsx"):
    """Uploads ``data`` into ``bank``; returns the draft's preview URL."""
    response = client.post(
        reverse("authoring:bank_import", args=[bank.pk]), {"file": _file(data, name)}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return response["Location"]


def _file(data: bytes, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


def counts(html: str) -> dict[str, int]:
    found = dict(re.findall(r'data-testid="count-(\w+)">(\d+)<', html))
    return {key: int(value) for key, value in found.items()}


def chinese_only(html: str, allow=()):
    assert not english_words(visible_text(html), allow=["ID", *allow])


TOP = "党的全国代表大会和它产生的中央委员会"
ROWS = [
    ["单选", "党的最高领导机关是（　）。", TOP, "中央政治局", "中央书记处", "中央军委",
     "A", "", "易", "党章党规"],
    ["多选", "党的纪律包括（　）。", "政治纪律", "组织纪律", "廉洁纪律", "生活纪律",
     "ABCD", "", "中", "廉洁纪律"],
    ["判断", "预备党员的预备期为一年。", "", "", "", "", "对", "", "3", "党章党规"],
]  # fmt: skip


@pytest.fixture
def bank(org):
    return make_bank("机关题库", unit=org.unit_a)


# --- who may -------------------------------------------------------------------------------


def test_members_and_secretaries_are_refused(org, bank, client):
    draft = QuestionImport.objects.create(
        bank=bank, created_by=org.unit_admin, filename="a.xlsx", data=xlsx(ROWS)
    )
    urls = [
        reverse("authoring:banks"),
        reverse("authoring:bank", args=[bank.pk]),
        reverse("authoring:bank_import", args=[bank.pk]),
        reverse("authoring:import_preview", args=[draft.pk]),
    ]
    for user in (org.member_a1, org.secretary):
        client.force_login(user)
        for url in urls:
            assert client.get(url).status_code == 403, url
        assert client.post(urls[0], {"name": "偷建的题库"}).status_code == 403
    assert not QuestionBank.objects.filter(name="偷建的题库").exists()
    client.logout()
    assert client.get(urls[0]).status_code == 302  # to the login page


def test_a_unit_admin_never_sees_another_units_bank(org, client):
    theirs = make_bank("财政局题库", unit=org.unit_b)
    city = make_bank("全市题库")
    client.force_login(org.unit_admin)
    for name in ("authoring:bank", "authoring:bank_import"):
        assert client.get(reverse(name, args=[theirs.pk])).status_code == 404
        assert client.get(reverse(name, args=[city.pk])).status_code == 404
    response = client.post(
        reverse("authoring:bank_import", args=[theirs.pk]), {"file": _file(xlsx(ROWS), "a.xlsx")}
    )
    assert response.status_code == 404 and not QuestionImport.objects.exists()
    html = client.get(reverse("authoring:banks")).content.decode()
    assert "财政局题库" not in html and "全市题库" not in html


def test_another_users_draft_is_not_found(org, bank, client):
    client.force_login(org.city_admin)
    preview = upload(client, bank, xlsx(ROWS))
    client.force_login(org.unit_admin)  # manages the bank, but did not upload the file
    assert client.get(preview).status_code == 404
    assert client.post(preview, {"action": "confirm"}).status_code == 404
    assert not Question.objects.exists()


# --- the banks -----------------------------------------------------------------------------


def test_the_banks_list_counts_by_kind_in_one_query(org, client, django_assert_num_queries):
    first = make_bank("党章题库", unit=org.unit_a)
    for kind in ("single", "single", "multiple", "truefalse", "fill"):
        make_question(first, kind)
    second = make_bank("党史题库")
    make_question(second, "fill")
    QuestionImport.objects.create(
        bank=first,
        created_by=org.city_admin,
        filename="a.xlsx",
        data=b"",
        committed_at=timezone.now(),
    )
    client.force_login(org.city_admin)
    # session, user, the banks with their counts, the units for the form
    with django_assert_num_queries(4):
        response = client.get(reverse("authoring:banks"))
    html = response.content.decode()
    assert response.status_code == 200
    row = html[html.index(f'data-testid="bank-{first.pk}"') :]
    row = row[: row.index("</tr>")]
    assert re.findall(r'<td class="num au-wide">(\d+)</td>', row) == ["2", "1", "1", "1"]
    assert 'data-testid="bank-count">5<' in row
    assert timezone.localdate().strftime("%Y-%m-%d") in row
    assert f"/authoring/banks/{first.pk}/questions/" in row
    assert reverse("authoring:bank_import", args=[first.pk]) in row
    assert reverse("api:bank-export", args=[first.pk]) in row
    assert "全市" in html and reverse("api:bank-template") in html
    chinese_only(html, allow=["unitadmin"])


def test_a_unit_admin_creates_a_bank_of_the_own_unit(org, client):
    client.force_login(org.unit_admin)
    form = client.get(reverse("authoring:banks")).content.decode()
    assert 'name="unit"' not in form
    response = client.post(
        reverse("authoring:banks"), {"name": " 支部 题库 ", "unit": org.unit_b.pk}
    )
    bank = QuestionBank.objects.get()
    assert (bank.name, bank.unit) == ("支部 题库", org.unit_a)
    assert response["Location"] == reverse("authoring:bank", args=[bank.pk])
    again = client.post(reverse("authoring:banks"), {"name": "支部 题库"})
    assert again.status_code == 400 and "已有同名题库" in again.content.decode()
    assert QuestionBank.objects.count() == 1


def test_a_city_admin_creates_a_city_wide_or_a_units_bank(org, client):
    client.force_login(org.city_admin)
    client.post(reverse("authoring:banks"), {"name": "全市题库", "unit": ""})
    client.post(reverse("authoring:banks"), {"name": "财政局题库", "unit": org.unit_b.pk})
    assert dict(QuestionBank.objects.values_list("name", "unit")) == {
        "全市题库": None,
        "财政局题库": org.unit_b.pk,
    }
    twice = client.post(reverse("authoring:banks"), {"name": "全市题库", "unit": ""})
    assert twice.status_code == 400 and QuestionBank.objects.count() == 2
    empty = client.post(reverse("authoring:banks"), {"name": ""})
    assert empty.status_code == 400 and "该字段是必填项" in empty.content.decode()


def test_the_bank_page_counts_kinds_categories_inactive_and_citations(org, bank, client):
    from ..factories import make_lecture

    make_question(bank, "single", category="党章党规")
    make_question(bank, "multiple", category="党章党规", is_active=False)
    make_question(bank, "fill", category="党史", lecture=make_lecture(title="学习党章"), passage=2)
    client.force_login(org.unit_admin)
    html = client.get(reverse("authoring:bank", args=[bank.pk])).content.decode()
    assert 'data-testid="total">3<' in html
    assert 'data-testid="inactive">1<' in html and 'data-testid="cited">1<' in html
    categories = html[html.index('data-testid="categories"') :]
    assert re.search(
        r"<td>党章党规</td><td class=\"num\">2</td><td class=\"num\">1</td>", categories
    )
    assert reverse("authoring:bank_import", args=[bank.pk]) in html
    chinese_only(html)


# --- the import ----------------------------------------------------------------------------


def test_upload_previews_without_writing(org, bank, client):
    make_question(
        bank, "single", stem="党的最高领导机关是（　）。", options=ROWS[0][2:6], answer=["A"]
    )
    client.force_login(org.unit_admin)
    page = client.get(reverse("authoring:bank_import", args=[bank.pk])).content.decode()
    assert "云帆" in page and reverse("api:bank-template") in page
    chinese_only(page, allow=["yf-exam"])

    preview = upload(client, bank, xlsx(ROWS))
    response = client.get(preview)
    html = response.content.decode()
    assert response.status_code == 200
    assert counts(html) == {
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "skipped": 1,
        "warnings": counts(html)["warnings"],
        "errors": 0,
    }
    assert counts(html)["warnings"] >= 1
    assert "本系统模板" in html and 'data-testid="confirm"' in html
    assert 'data-testid="confirm" data-busy-text="正在导入…" disabled' not in html
    assert "题库中已有这道题" in html  # the skipped duplicate, with its reason
    chinese_only(html, allow=["yf-exam"])
    assert Question.objects.filter(bank=bank).count() == 1  # nothing written
    draft = QuestionImport.objects.get()
    assert (draft.created_by, draft.filename, draft.committed_at) == (
        org.unit_admin,
        "题库.xlsx",
        None,
    )


def test_keeping_duplicates_changes_the_plan_and_the_commit(org, bank, client):
    rows = [ROWS[0], ROWS[0], ROWS[2]]
    client.force_login(org.unit_admin)
    preview = upload(client, bank, xlsx(rows))
    skip = counts(client.get(preview).content.decode())
    keep_html = client.get(preview + "?duplicates=keep&missing=keep").content.decode()
    keep = counts(keep_html)
    assert (skip["created"], skip["skipped"]) == (2, 1)
    assert (keep["created"], keep["skipped"]) == (3, 0)
    assert 'name="duplicates" value="keep"' in keep_html  # the confirm commits what was shown
    response = client.post(preview, {"action": "confirm", "duplicates": "keep", "missing": "keep"})
    assert response["Location"] == reverse("authoring:bank", args=[bank.pk])
    assert bank.questions.count() == 3


def test_the_file_is_read_once_and_planned_against_the_bank_at_each_step(
    org, bank, client, monkeypatch
):
    from quizzes.importing import plan

    reads = []
    read_questions = plan.read_questions
    monkeypatch.setattr(
        plan, "read_questions", lambda **kw: reads.append(1) or read_questions(**kw)
    )
    client.force_login(org.unit_admin)
    preview = upload(client, bank, xlsx(ROWS))
    assert counts(client.get(preview).content.decode())["created"] == 3
    # meanwhile someone adds the first row's question to the bank
    client.get(preview + "?duplicates=skip&missing=keep")
    Question.objects.create(
        bank=bank,
        kind="single",
        stem=ROWS[0][1],
        stem_key="",
        options=list(ROWS[0][2:6]),
        answer=["A"],
    )
    assert counts(client.get(preview).content.decode())["created"] == 2
    client.post(preview, {"action": "confirm", "duplicates": "skip"})

    assert len(reads) == 1
    assert bank.questions.count() == 3
    # a mapping saved on the draft is another reading
    draft = QuestionImport.objects.get()
    draft.mapping, draft.committed_at = {"题型": "kind", "题干": "stem", "答案": "answer"}, None
    draft.data = xlsx(ROWS)
    draft.save()
    client.get(preview)
    assert len(reads) == 2


def test_confirm_writes_once_and_says_what_it_did(org, bank, client):
    client.force_login(org.unit_admin)
    preview = upload(client, bank, xlsx(ROWS))
    response = client.post(preview, {"action": "confirm", "duplicates": "skip"}, follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("authoring:bank", args=[bank.pk])
    assert "已导入：新增 3" in html and 'data-testid="total">3<' in html
    draft = QuestionImport.objects.get()
    assert draft.committed_at is not None and bytes(draft.data) == b""
    # a second confirmation (a double click, the back button) imports nothing
    again = client.post(preview, {"action": "confirm"}, follow=True)
    assert "这份文件已经导入过了" in again.content.decode()
    assert bank.questions.count() == 3
    shown = client.get(preview).content.decode()
    assert 'data-testid="committed"' in shown
    # and the banks list shows the import
    listed = client.get(reverse("authoring:banks")).content.decode()
    assert timezone.localdate().strftime("%Y-%m-%d") in listed


def test_errors_block_the_confirmation(org, bank, client):
    rows = [ROWS[0], ["单选", "没有答案的题（　）。", "甲", "乙", "", "", "Z", "", "", "党史"]]
    client.force_login(org.unit_admin)
    preview = upload(client, bank, xlsx(rows))
    html = client.get(preview).content.decode()
    assert counts(html)["errors"] >= 1
    assert re.search(r'data-testid="confirm"[^>]* disabled', html)
    assert 'data-testid="blocked"' in html and "重新上传" in html
    errors = html[html.index('data-testid="errors"') :]
    assert '<td class="num">3</td><td>答案</td>' in errors  # the row and the column
    response = client.post(preview, {"action": "confirm"}, follow=True)
    assert "没有导入" in response.content.decode()
    assert not bank.questions.exists()
    assert QuestionImport.objects.get().committed_at is None


def test_a_refused_file_says_why_in_chinese(org, bank, client):
    client.force_login(org.unit_admin)
    preview = upload(client, bank, b"PK\x03\x04 not really a workbook", name="坏文件.xlsx")
    html = client.get(preview).content.decode()
    assert 'data-testid="refused"' in html and 'data-testid="confirm"' not in html
    assert "无法读取" in html
    chinese_only(html, allow=["Excel", "WPS"])
    assert client.post(preview, {"action": "confirm"}).status_code == 302
    assert not bank.questions.exists()


def test_the_upload_form_refuses_other_files(org, bank, client):
    client.force_login(org.unit_admin)
    url = reverse("authoring:bank_import", args=[bank.pk])
    response = client.post(url, {"file": _file(b"hello", "notes.docx")})
    assert response.status_code == 400 and ".xlsx" in response.content.decode()
    assert client.post(url, {}).status_code == 400
    assert not QuestionImport.objects.exists()


def test_an_upload_deletes_the_users_day_old_drafts(org, bank, client):
    old = timezone.now() - timedelta(days=2)
    mine = QuestionImport.objects.create(
        bank=bank, created_by=org.unit_admin, filename="旧.xlsx", data=b"x", created_at=old
    )
    done = QuestionImport.objects.create(
        bank=bank,
        created_by=org.unit_admin,
        filename="已导入.xlsx",
        data=b"",
        created_at=old,
        committed_at=old,
    )
    theirs = QuestionImport.objects.create(
        bank=bank, created_by=org.city_admin, filename="别人的.xlsx", data=b"x", created_at=old
    )
    client.force_login(org.unit_admin)
    upload(client, bank, xlsx(ROWS))
    left = set(QuestionImport.objects.values_list("pk", flat=True))
    assert mine.pk not in left and {done.pk, theirs.pk} <= left and len(left) == 3


# --- the column mapping --------------------------------------------------------------------

THEIRS = ["试题种类", "试题正文", "甲项", "乙项", "丙项", "标准解答", "备注"]


def _their_file() -> bytes:
    return xlsx(
        [
            [
                "单选",
                "党的根本宗旨是（　）。",
                "全心全意为人民服务",
                "发展经济",
                "改革开放",
                "A",
                "—",
            ],
            ["判断", "党员可以不参加组织生活。", "", "", "", "错", ""],
        ],
        header=THEIRS,
    )


def mapping_form(html: str) -> dict:
    """The mapping step's selects: column → the chosen field key."""
    columns = re.findall(r'name="column" value="([^"]*)"', html)
    chosen = []
    for i in range(len(columns)):
        select = html[html.index(f'name="field_{i}"') :]
        select = select[: select.index("</select>")]
        found = re.search(r'<option value="([^"]*)" selected>', select)
        chosen.append(found.group(1) if found else None)
    return dict(zip(columns, chosen, strict=True))


def test_an_unknown_layout_asks_for_the_mapping_and_the_bank_remembers_it(org, bank, client):
    client.force_login(org.unit_admin)
    preview = upload(client, bank, _their_file(), name="他们的.xlsx")
    html = client.get(preview).content.decode()
    assert 'data-testid="mapping-form"' in html and 'data-testid="confirm"' not in html
    assert mapping_form(html) == dict.fromkeys(THEIRS, "")
    assert "题干" in html and "忽略此列" in html
    chinese_only(html)

    # a mapping without the answer is refused with its reason, nothing saved
    fields = ["kind", "stem", "A", "B", "C", "", ""]
    post = {"action": "mapping", "column": THEIRS}
    post.update({f"field_{i}": f for i, f in enumerate(fields)})
    bad = client.post(preview, post)
    bad_html = bad.content.decode()
    assert bad.status_code == 400 and 'data-testid="mapping-error"' in bad_html
    assert "答案" in bad_html and mapping_form(bad_html)["试题正文"] == "stem"  # kept
    assert QuestionImport.objects.get().mapping == {}

    post["field_5"] = "answer"
    client.post(preview, post)
    assert QuestionImport.objects.get().mapping == {
        "试题种类": "kind",
        "试题正文": "stem",
        "甲项": "A",
        "乙项": "B",
        "丙项": "C",
        "标准解答": "answer",
    }
    html = client.get(preview).content.decode()
    assert counts(html)["created"] == 2 and "按您的列对应" in html
    client.post(preview, {"action": "confirm"})
    assert bank.questions.count() == 2
    bank.refresh_from_db()
    assert bank.import_mapping["columns"]["标准解答"] == "answer"

    # the next file with these headers is read with the remembered mapping, which the
    # mapping step shows when asked for
    again = upload(client, bank, _their_file(), name="他们的2.xlsx")
    html = client.get(again).content.decode()
    assert 'data-testid="counts"' in html and "按您的列对应" in html
    adjust = client.get(again + "?step=mapping").content.decode()
    assert mapping_form(adjust)["标准解答"] == "answer"
    assert mapping_form(adjust)["备注"] == ""


def test_a_recognised_layout_can_still_be_mapped_by_hand(org, bank, client):
    client.force_login(org.unit_admin)
    preview = upload(client, bank, xlsx(ROWS))
    html = client.get(preview).content.decode()
    assert 'data-testid="adjust-mapping"' in html
    adjust = client.get(preview + "?step=mapping").content.decode()
    assert mapping_form(adjust)["题干"] == "stem"
    # 解析 is ignored from now on
    chosen = mapping_form(adjust)
    chosen["解析"] = ""
    post = {"action": "mapping", "column": list(chosen)}
    post.update({f"field_{i}": (f or "") for i, f in enumerate(chosen.values())})
    client.post(preview, post)
    html = client.get(preview).content.decode()
    assert "按您的列对应" in html and counts(html)["created"] == 3
    client.post(preview, {"action": "reset_mapping"})
    assert QuestionImport.objects.get().mapping == {}
    assert "本系统模板" in client.get(preview).content.decode()


def test_a_gb18030_csv_previews(org, bank, client):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(OURS)
    writer.writerows(ROWS)
    client.force_login(org.unit_admin)
    preview = upload(client, bank, out.getvalue().encode("gb18030"), name="题库.csv")
    assert counts(client.get(preview).content.decode())["created"] == 3


# --- the round trip and the admin ----------------------------------------------------------


def test_an_edited_export_updates_and_may_deactivate_what_it_left_out(org, bank, client):
    from quizzes.excel import bank_export_xlsx

    kept = [make_question(bank, kind) for kind in ("single", "multiple", "truefalse")]
    data = bank_export_xlsx(bank=bank)
    left_out = make_question(bank, "fill")
    client.force_login(org.unit_admin)
    preview = upload(client, bank, data, name="导出.xlsx")
    html = client.get(preview).content.decode()
    assert counts(html)["unchanged"] == 3 and counts(html)["created"] == 0
    assert 'data-testid="missing-deactivate"' in html  # the file carries IDs
    assert 'data-testid="nothing-to-do"' in html
    html = client.get(preview + "?duplicates=skip&missing=deactivate").content.decode()
    assert counts(html)["deactivated"] == 1
    client.post(preview, {"action": "confirm", "duplicates": "skip", "missing": "deactivate"})
    left_out.refresh_from_db()
    assert not left_out.is_active
    assert all(Question.objects.get(pk=q.pk).is_active for q in kept)


def test_the_admins_import_link_opens_this_page(org, bank, client):
    client.force_login(org.unit_admin)
    response = client.get(reverse("admin:quizzes_questionbank_import", args=[bank.pk]))
    assert response["Location"] == reverse("authoring:bank_import", args=[bank.pk])


def test_the_import_page_lists_the_users_unfinished_uploads(org, bank, client):
    client.force_login(org.unit_admin)
    preview = upload(client, bank, xlsx(ROWS), name="上次的.xlsx")
    other = make_bank("另一个题库", unit=org.unit_a)
    upload(client, other, xlsx(ROWS), name="别的题库.xlsx")
    html = client.get(reverse("authoring:bank_import", args=[bank.pk])).content.decode()
    assert "上次的.xlsx" in html and preview in html and "别的题库.xlsx" not in html
    client.post(preview, {"action": "confirm"})
    html = client.get(reverse("authoring:bank_import", args=[bank.pk])).content.decode()
    assert "上次的.xlsx" not in html


def test_a_mapping_that_no_longer_fits_the_file_can_be_dropped(org, bank, client):
    client.force_login(org.unit_admin)
    preview = upload(client, bank, xlsx(ROWS))
    draft = QuestionImport.objects.get()
    draft.mapping = {"不存在的列": "kind", "题干": "stem", "答案": "answer"}
    draft.save()
    html = client.get(preview).content.decode()
    assert 'data-testid="confirm"' not in html
    assert 'data-testid="mapping-form"' in html and "不存在的列" in html  # says which
    client.post(preview, {"action": "reset_mapping"})
    assert counts(client.get(preview).content.decode())["created"] == 3
