"""The record (记录簿): draft, sign-off that freezes it, amendments, files, who sees what."""

from datetime import timedelta

import hypothesis
import pytest
import schemathesis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token

from backend.accounts.models import Role
from courses.pdf import text_pdf
from orglife import records
from orglife.errors import OrglifeError
from orglife.models import (
    Amendment,
    Attendance,
    CheckinMethod,
    LeaveRequest,
    LeaveStatus,
    MakeupTask,
    Record,
    RecordFile,
)
from orglife.services import SessionInput, session_create

from ..factories import make_user
from ..text_words import english_words, visible_text

pytestmark = pytest.mark.django_db

PDF = text_pdf([(20, "会议材料")])
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\0" * 200
MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\0" * 64


def held_session(org, *, hours_ago: float = 3, title: str = "十一月主题党日"):
    """A theme day of branch A1, begun ``hours_ago``: 张三 on time, 李四 late,
    王五 checked in by the host, 赵六 on leave, the secretary and 钱七 absent."""
    people = {
        name: make_user(branch=org.branch_a1, display_name=name)
        for name in ("张三", "李四", "王五", "赵六", "钱七")
    }
    starts = timezone.now() - timedelta(hours=hours_ago)
    session = session_create(
        by=org.secretary,
        data=SessionInput(
            kind="theme_day",
            title=title,
            starts_at=starts,
            branch=org.branch_a1,
            place="三楼会议室",
        ),
    )
    rows = Attendance.objects.filter(session=session)
    rows.filter(member=people["张三"]).update(checked_in_at=starts, method=CheckinMethod.QR)
    rows.filter(member=people["李四"]).update(
        checked_in_at=starts + timedelta(minutes=10), method=CheckinMethod.QR, late=True
    )
    rows.filter(member=people["王五"]).update(
        checked_in_at=starts, method=CheckinMethod.MANUAL, checked_in_by=org.secretary
    )
    LeaveRequest.objects.create(
        session=session, member=people["赵六"], reason="出差", status=LeaveStatus.APPROVED
    )
    session.people = people
    return session


def upload(name, data):
    return SimpleUploadedFile(name, data)


def stored_files(media_root) -> list:
    return [p for p in media_root.rglob("*") if p.is_file()] if media_root.exists() else []


def signed(org, session, minutes="## 议程\n\n学习党章。", decisions="决议一\n决议二"):
    records.record_save(session=session, by=org.secretary, minutes=minutes, decisions=decisions)
    return records.record_sign(session=session, by=org.secretary)


# --- services -----------------------------------------------------------------------------


def test_minutes_are_rendered_and_sanitised(org):
    session = held_session(org)
    record = records.record_save(
        session=session,
        by=org.secretary,
        minutes="**要点**\n\n<script>alert(1)</script><img src=x onerror=alert(2)>"
        "[链接](javascript:alert(3))",
        decisions="  决议一 \n\n决议二\n",
    )
    assert "<strong>要点</strong>" in record.minutes_html
    for bad in ("<script", "alert(1)", "onerror", "javascript:"):
        assert bad not in record.minutes_html
    assert record.decisions == "决议一\n决议二"
    assert records.decision_lines(record) == ["决议一", "决议二"]


def test_sign_before_the_start_is_refused(org):
    session = held_session(org, hours_ago=-2)
    records.record_save(session=session, by=org.secretary, minutes="提前写好", decisions="")
    with pytest.raises(OrglifeError) as refused:
        records.record_sign(session=session, by=org.secretary)
    assert refused.value.code == "not_started" and refused.value.status == 409
    assert not Record.objects.get(session=session).is_signed


def test_sign_needs_minutes_and_happens_once(org):
    session = held_session(org)
    with pytest.raises(OrglifeError) as refused:
        records.record_sign(session=session, by=org.secretary)
    assert refused.value.code == "empty"
    record = signed(org, session)
    assert record.signed_by == org.secretary and record.signed_at is not None
    with pytest.raises(OrglifeError) as again:
        records.record_sign(session=session, by=org.unit_admin)
    assert again.value.code == "signed"
    assert Record.objects.get(session=session).signed_by == org.secretary


def test_a_signed_record_cannot_be_edited_only_amended(org):
    # given a signed record
    session = held_session(org)
    signed(org, session)
    # when someone edits it directly, it is refused and unchanged
    with pytest.raises(OrglifeError) as refused:
        records.record_save(session=session, by=org.secretary, minutes="改写", decisions="")
    assert refused.value.code == "signed" and refused.value.status == 409
    assert Record.objects.get(session=session).minutes == "## 议程\n\n学习党章。"
    # an amendment needs a reason
    with pytest.raises(OrglifeError) as no_reason:
        records.record_amend(session=session, by=org.secretary, reason="  ", minutes="改写")
    assert no_reason.value.code == "reason_required"
    # then an amendment with a reason keeps before/after/author/reason per field
    amendments = records.record_amend(
        session=session,
        by=org.unit_admin,
        reason="补记第二项决议的表决情况",
        minutes="## 议程\n\n学习党章。",  # unchanged: no amendment for it
        decisions="决议一\n决议二（全票通过）",
    )
    assert [(a.field, a.before, a.after) for a in amendments] == [
        ("decisions", "决议一\n决议二", "决议一\n决议二（全票通过）")
    ]
    amendment = Amendment.objects.get()
    assert amendment.author == org.unit_admin and amendment.reason == "补记第二项决议的表决情况"
    record = Record.objects.get(session=session)
    assert record.decisions == "决议一\n决议二（全票通过）"
    assert record.signed_by == org.secretary  # the signature stays
    with pytest.raises(OrglifeError) as nothing:
        records.record_amend(session=session, by=org.secretary, reason="再看看", decisions=None)
    assert nothing.value.code == "no_change"


def test_amending_a_draft_is_refused(org):
    session = held_session(org)
    records.record_save(session=session, by=org.secretary, minutes="草稿", decisions="")
    with pytest.raises(OrglifeError) as refused:
        records.record_amend(session=session, by=org.secretary, reason="改", minutes="新")
    assert refused.value.code == "not_signed"


def test_a_file_after_the_sign_off_belongs_to_an_amendment(org):
    session = held_session(org)
    before = records.record_file_add(
        session=session,
        by=org.secretary,
        uploads=records.record_uploads_check([upload("合影.png", PNG)]),
    )
    assert before[0].amendment is None
    signed(org, session)
    checked = records.record_uploads_check([upload("签到表.pdf", PDF)])
    with pytest.raises(OrglifeError) as no_reason:
        records.record_file_add(session=session, by=org.secretary, uploads=checked)
    assert no_reason.value.code == "reason_required"
    assert RecordFile.objects.count() == 1
    (added,) = records.record_file_add(
        session=session, by=org.secretary, uploads=checked, reason="补传签到表"
    )
    assert added.amendment.field == "files" and added.amendment.reason == "补传签到表"
    assert added.amendment.after == "签到表"
    with pytest.raises(OrglifeError) as frozen:
        records.record_file_delete(file=before[0])
    assert frozen.value.code == "signed"
    assert RecordFile.objects.count() == 2


@pytest.mark.parametrize(("name", "data"), [("会议.pdf", EXE), ("录音.mp3", MP3)])
def test_a_file_of_a_wrong_type_is_refused(org, name, data):
    with pytest.raises(OrglifeError) as refused:
        records.record_uploads_check([upload("合影.png", PNG), upload(name, data)])
    assert refused.value.code == "file_refused"
    assert refused.value.message


def test_attendance_from_the_check_in(org):
    session = held_session(org)
    seen = records.session_attendance(session)
    names = lambda people: [p.name for p in people]  # noqa: E731
    assert seen.expected == 7
    assert sorted(names(seen.present)) == sorted(["张三", "王五"])
    assert names(seen.late) == ["李四"]
    assert names(seen.manual) == ["王五"]
    assert names(seen.on_leave) == ["赵六"]
    assert set(names(seen.absent)) == {org.secretary.name, org.member_a1.name, "钱七"}


# --- API ----------------------------------------------------------------------------------


def test_api_write_sign_amend(org, api_as, client, media_root):
    session = held_session(org)
    url = f"/api/v1/sessions/{session.pk}/record/"
    api = api_as(org.secretary)
    response = api.put(
        url, {"minutes": "学习<script>x</script>", "decisions": "一\n二"}, format="json"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert "<script" not in body["minutes_html"] and body["decisions"] == ["一", "二"]
    assert body["signed_at"] is None and body["can_edit"] is True
    assert body["attendance"]["expected"] == 7
    assert [p["name"] for p in body["attendance"]["late"]] == ["李四"]

    sign = api.post(url + "sign/")
    assert sign.status_code == 200 and sign.json()["signed_by"] == org.secretary.name

    refused = api.put(url, {"minutes": "改写", "decisions": ""}, format="json")
    assert refused.status_code == 409
    assert refused.json()["code"] == "signed" and "修正" in refused.json()["detail"]
    assert api.post(url + "sign/").status_code == 409

    no_reason = api.post(url + "amendments/", {"minutes": "改写"}, format="json")
    assert no_reason.status_code == 400
    amended = api.post(
        url + "amendments/", {"reason": "更正错字", "minutes": "学习党章"}, format="json"
    )
    assert amended.status_code == 201, amended.json()
    (amendment,) = amended.json()["amendments"]
    assert amendment["by"] == org.secretary.name and amendment["reason"] == "更正错字"
    assert amendment["field"] == "minutes" and amendment["after"] == "学习党章"
    assert amendment["before"] == "学习<script>x</script>"
    assert amended.json()["minutes"] == "学习党章"

    files = api.post(
        url + "files/",
        {"files": [upload("签到表.pdf", PDF)], "reason": "补传签到表"},
        format="multipart",
    )
    assert files.status_code == 201, files.json()
    (item,) = files.json()["files"]
    assert item["amendment"] is not None and item["title"] == "签到表"
    web = client
    web.force_login(session.people["张三"])  # a member reads the signed record's files
    download = web.get(item["url"])
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_sign_before_the_start_is_409_in_the_api(org, api_as):
    session = held_session(org, hours_ago=-1)
    client = api_as(org.secretary)
    url = f"/api/v1/sessions/{session.pk}/record/"
    assert client.put(url, {"minutes": "议程"}, format="json").status_code == 200
    response = client.post(url + "sign/")
    assert response.status_code == 409 and response.json()["code"] == "not_started"


def test_a_wrong_file_is_refused_and_nothing_is_written(org, api_as, media_root):
    session = held_session(org)
    response = api_as(org.secretary).post(
        f"/api/v1/sessions/{session.pk}/record/files/",
        {"files": [upload("合影.png", PNG), upload("会议纪要.pdf", EXE)]},
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "file_refused" and "程序" in response.json()["detail"]
    assert not RecordFile.objects.exists()
    assert stored_files(media_root) == []


@pytest.fixture
def media_root(settings):
    return settings.MEDIA_ROOT


def test_members_read_the_signed_record_only(org, api_as, client):
    session = held_session(org)
    member = session.people["张三"]
    url = f"/api/v1/sessions/{session.pk}/record/"
    records.record_save(session=session, by=org.secretary, minutes="草稿", decisions="")
    assert api_as(member).get(url).status_code == 404
    assert api_as(member).put(url, {"minutes": "我来写"}, format="json").status_code == 403
    client.force_login(member)
    page = client.get(f"/orglife/sessions/{session.pk}/record/")
    assert page.status_code == 200 and "草稿" not in page.content.decode()
    assert "尚未签字" in page.content.decode()
    records.record_sign(session=session, by=org.secretary)
    body = api_as(member).get(url).json()
    assert body["minutes"] == "草稿" and body["can_edit"] is False
    assert "草稿" in client.get(f"/orglife/sessions/{session.pk}/record/").content.decode()


def test_another_branchs_secretary_gets_404_everywhere(org, api_as, client):
    session = held_session(org)
    records.record_save(session=session, by=org.secretary, minutes="纪要", decisions="")
    (item,) = records.record_file_add(
        session=session,
        by=org.secretary,
        uploads=records.record_uploads_check([upload("合影.png", PNG)]),
    )
    records.record_sign(session=session, by=org.secretary)
    stranger = api_as(org.secretary_b)
    url = f"/api/v1/sessions/{session.pk}/record/"
    assert stranger.get(url).status_code == 404
    assert stranger.get(url + "?format=xlsx").status_code == 404
    assert stranger.put(url, {"minutes": "x"}, format="json").status_code == 404
    assert stranger.post(url + "sign/").status_code == 404
    assert stranger.post(url + "amendments/", {"reason": "x"}, format="json").status_code == 404
    assert (
        stranger.post(url + "files/", {"files": [upload("a.png", PNG)]}, format="multipart")
    ).status_code == 404
    client.force_login(org.secretary_b)
    for path in (
        f"/orglife/sessions/{session.pk}/record/",
        f"/orglife/sessions/{session.pk}/record.xlsx",
        f"/orglife/sessions/{session.pk}/record.pdf",
        f"/orglife/records/files/{item.pk}/{item.download_name}",
        f"/orglife/branches/{org.branch_a1.pk}/record-book/{timezone.now().year}.xlsx",
        f"/orglife/branches/{org.branch_a1.pk}/record-book/{timezone.now().year}.pdf",
    ):
        assert client.get(path).status_code == 404, path
    assert client.post(f"/orglife/sessions/{session.pk}/record/", {"action": "sign"}).status_code
    assert Amendment.objects.count() == 0
    # a member of the branch may not export the branch's year
    client.force_login(session.people["张三"])
    year = timezone.now().year
    assert (
        client.get(f"/orglife/branches/{org.branch_a1.pk}/record-book/{year}.xlsx").status_code
        == 404
    )


def test_the_record_costs_the_same_queries_with_more_files_and_amendments(org, api_as):
    session = held_session(org)
    signed(org, session)
    client = api_as(org.unit_admin)
    url = f"/api/v1/sessions/{session.pk}/record/"

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    first = count()
    for n in range(4):
        records.record_amend(
            session=session,
            by=org.secretary,
            reason=f"第{n}次",
            decisions=f"决议{n}",
            uploads=records.record_uploads_check([upload(f"照片{n}.png", PNG)]),
        )
    assert count() == first


# --- the page -----------------------------------------------------------------------------


def test_page_write_sign_and_amend(org, client):
    session = held_session(org)
    page = f"/orglife/sessions/{session.pk}/record/"
    client.force_login(org.secretary)
    draft = client.get(page)
    assert draft.status_code == 200
    html = draft.content.decode()
    assert 'accept="image/*' in html and "签字确认" in html
    assert "赵六" in html and "李四" in html

    saved = client.post(
        page, {"action": "save", "minutes": "## 议程\n\n学习", "decisions": "决议甲"}
    )
    assert saved.status_code == 302
    refused = client.post(page, {"action": "upload", "files": [upload("x.pdf", EXE)]})
    assert refused.status_code == 400 and "程序" in refused.content.decode()
    assert not RecordFile.objects.exists()

    assert client.post(page, {"action": "sign"}).status_code == 302
    frozen = client.get(page).content.decode()
    assert "<h2>议程</h2>" in frozen and "决议甲" in frozen and "修正记录" in frozen

    edit = client.post(page, {"action": "save", "minutes": "改写", "decisions": ""})
    assert edit.status_code == 400 and "修正" in edit.content.decode()
    no_reason = client.post(
        page, {"action": "amend", "reason": "", "minutes": "改写", "decisions": "决议甲"}
    )
    assert no_reason.status_code == 400 and Amendment.objects.count() == 0
    amended = client.post(
        page, {"action": "amend", "reason": "更正", "minutes": "改写", "decisions": "决议甲"}
    )
    assert amended.status_code == 302
    shown = client.get(page).content.decode()
    assert "更正" in shown and org.secretary.name in shown


def test_a_member_with_a_make_up_task_reads_the_signed_record(org, client):
    session = held_session(org)
    absent = session.people["钱七"]
    task = MakeupTask.objects.create(session=session, member=absent)
    records.record_save(session=session, by=org.secretary, minutes="纪要", decisions="")
    client.force_login(absent)
    client.get(f"/orglife/sessions/{session.pk}/record/")
    task.refresh_from_db()
    assert task.record_read_at is None  # not signed: nothing to read yet
    records.record_sign(session=session, by=org.secretary)
    assert client.get(f"/orglife/sessions/{session.pk}/record/").status_code == 200
    task.refresh_from_db()
    assert task.record_read_at is not None


def test_the_unit_admin_keeps_the_record_of_the_units_branch(org, api_as):
    session = held_session(org)
    url = f"/api/v1/sessions/{session.pk}/record/"
    assert api_as(org.unit_admin).put(url, {"minutes": "纪要"}, format="json").status_code == 200
    other_unit_admin = make_user(Role.UNIT_ADMIN, unit=org.unit_b)
    assert api_as(other_unit_admin).get(url).status_code == 404


# --- the schema ---------------------------------------------------------------------------

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application()).include(
    path_regex=r"^/api/v1/sessions/\{id\}/record/"
)


@pytest.fixture
def secretary_world(org):
    """The secretary's token and a session of the branch that has begun. The WSGI
    handler closes "old" connections after each request, which inside a test
    transaction would close the test's own: disconnected meanwhile."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    session = held_session(org)
    yield Token.objects.create(user=org.secretary).key, session.pk
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@hypothesis.settings(
    max_examples=12,
    derandomize=True,
    deadline=None,
    suppress_health_check=[
        hypothesis.HealthCheck.function_scoped_fixture,
        hypothesis.HealthCheck.too_slow,
    ],
)
def test_record_endpoints_conform_to_the_schema(case, secretary_world):
    token, session_id = secretary_world
    case.path_parameters = {**(case.path_parameters or {}), "id": session_id}
    case.call_and_validate(
        headers={"Authorization": f"Token {token}"},
        excluded_checks=[schemathesis.checks.positive_data_acceptance],
    )


def test_the_record_pages_speak_chinese(org, client, settings, tmp_path):
    session = held_session(org)
    page = f"/orglife/sessions/{session.pk}/record/"
    client.force_login(org.secretary)
    texts = [client.get(page).content.decode()]
    client.post(page, {"action": "save", "minutes": "纪要\x00正文", "decisions": "决议"})
    assert Record.objects.get(session=session).minutes == "纪要正文"
    texts.append(client.post(page, {"action": "sign", "extra": "x"}, follow=True).content.decode())
    texts.append(client.post(page, {"action": "amend", "reason": ""}).content.decode())
    texts.append(client.post(page, {"action": "nonsense"}).content.decode())
    client.force_login(session.people["钱七"])
    texts.append(client.get(page).content.decode())
    settings.ORGLIFE_PDF_FONT_PATHS = [str(tmp_path)]
    texts.append(client.get(f"/orglife/sessions/{session.pk}/record.pdf").content.decode())
    for html in texts:
        assert english_words(visible_text(html)) == []
