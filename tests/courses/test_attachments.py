"""Attachments: type by content, size limit, all-or-nothing, safe download headers."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from courses import filetypes, services
from courses.models import Attachment, Lecture
from courses.pdf import text_pdf

from ..factories import make_lecture, make_user

pytestmark = pytest.mark.django_db

PDF = text_pdf([(20, "讲义")])
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\0" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\0" * 200


def office_zip(inner: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(inner, "<x/>")
    return out.getvalue()


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def stored_files(media_root) -> list:
    return [p for p in media_root.rglob("*") if p.is_file()] if media_root.exists() else []


@pytest.mark.parametrize(
    ("name", "data", "kind", "content_type"),
    [
        ("讲义.pdf", PDF, "pdf", "application/pdf"),
        ("slides.pptx", office_zip("ppt/presentation.xml"), "slides", filetypes.PPTX.content_type),
        ("notes.docx", office_zip("word/document.xml"), "document", filetypes.DOCX.content_type),
        ("talk.mp3", MP3, "audio", "audio/mpeg"),
        ("photo.png", PNG, "image", "image/png"),
        ("no-extension", PDF, "pdf", "application/pdf"),
    ],
)
def test_accepted_types_are_detected_by_content(name, data, kind, content_type):
    checked = services.attachment_check(upload=upload(name, data))
    assert (checked.type.kind, checked.type.content_type) == (kind, content_type)


def test_exe_renamed_pdf_is_refused_with_a_clear_message(_media_in_tmp):
    lecture = make_lecture()
    with pytest.raises(filetypes.RefusedFile, match="可执行程序"):
        services.attachment_check(upload=upload("讲义.pdf", EXE))
    assert not Attachment.objects.filter(lecture=lecture).exists()
    assert stored_files(_media_in_tmp) == []


@pytest.mark.parametrize(
    ("name", "data", "fragment"),
    [
        ("photo.pdf", PNG, "PNG"),  # the name contradicts the content
        ("drawing.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>', "SVG"),
        ("archive.zip", office_zip("other.xml"), "ZIP"),
        ("page.html", b"<!doctype html><script>alert(1)</script>", "网页"),
        ("run.sh.pdf", b"\x7fELF\x02\x01\x01" + b"\0" * 50, "可执行程序"),
        ("empty.pdf", b"", "空文件"),
    ],
)
def test_other_files_are_refused(name, data, fragment):
    with pytest.raises(filetypes.RefusedFile, match=fragment):
        services.attachment_check(upload=upload(name, data))


def test_oversized_upload_is_refused(settings, _media_in_tmp):
    settings.LECTURE_ATTACHMENT_MAX_BYTES = 1024
    with pytest.raises(filetypes.RefusedFile, match=r"big\.pdf 超过 1\.0\sKB"):
        services.attachment_check(upload=upload("big.pdf", PDF + b"\0" * 2000))
    assert stored_files(_media_in_tmp) == []


def test_attachments_are_stored_under_our_own_names(_media_in_tmp):
    lecture = make_lecture()
    checked = [
        services.attachment_check(upload=upload("../../etc/passwd.pdf", PDF)),
        services.attachment_check(upload=upload("录音.mp3", MP3)),
    ]
    first, second = services.attachments_add(lecture=lecture, uploads=checked)
    assert first.file.name.endswith(".pdf") and "passwd" not in first.file.name
    assert first.title == "passwd" and second.title == "录音"
    assert len(stored_files(_media_in_tmp)) == 2


def admin_post(client, data):
    return client.post("/admin/courses/lecture/add/", data)


def lecture_form(**files):
    return {
        "title": "测试讲座",
        "month": "2026-03-01",
        "is_featured": "on",
        "speaker": "李明远",
        "speaker_title": "",
        "held_on": "",
        "summary": "",
        "body": "正文",
        "min_read_seconds": "60",
        "status": "published",
        "published_at_0": "2026-03-01",
        "published_at_1": "09:00:00",
        "attachments-TOTAL_FORMS": "0",
        "attachments-INITIAL_FORMS": "0",
        **files,
    }


def test_admin_upload_with_one_bad_file_stores_nothing(org, client, _media_in_tmp):
    client.force_login(org.city_admin)
    response = admin_post(
        client,
        lecture_form(new_attachments=[upload("讲义.pdf", PDF), upload("课件.pdf", EXE)]),
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["new_attachments"]
    assert "课件.pdf" in errors[0] and "可执行程序" in errors[0]
    assert not Lecture.objects.exists() and not Attachment.objects.exists()
    assert stored_files(_media_in_tmp) == []


def test_admin_uploads_several_attachments_at_once(org, client, _media_in_tmp):
    client.force_login(org.city_admin)
    response = admin_post(
        client,
        lecture_form(new_attachments=[upload("讲义.pdf", PDF), upload("录音.mp3", MP3)]),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    lecture = Lecture.objects.get()
    assert sorted(lecture.attachments.values_list("kind", flat=True)) == ["audio", "pdf"]
    assert lecture.body_html == '<p id="p1">正文</p>'


def test_admin_preview_renders_sanitised_html(org, client):
    client.force_login(org.city_admin)
    response = client.post(
        "/admin/courses/lecture/preview/", {"body": "## 标题\n<script>alert(1)</script>"}
    )
    assert response.status_code == 200
    assert response.content.decode().strip() == "<h2>标题</h2>"
    client.force_login(org.unit_admin)
    assert client.post("/admin/courses/lecture/preview/", {"body": "x"}).status_code == 403


# --- downloads ----------------------------------------------------------------------------


@pytest.fixture
def pdf_attachment(db):
    lecture = make_lecture()
    [attachment] = services.attachments_add(
        lecture=lecture,
        uploads=[services.attachment_check(upload=upload("讲义.pdf", PDF), title="讲义")],
    )
    return attachment


def download(client, attachment, **headers):
    return client.get(
        f"/lectures/attachments/{attachment.pk}/{attachment.download_name}", **headers
    )


def test_pdf_opens_inline_with_its_real_type(client, pdf_attachment):
    client.force_login(make_user())
    response = download(client, pdf_attachment)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert "filename*=utf-8''%E8%AE%B2%E4%B9%89.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF


def test_office_files_download_as_attachments(client):
    lecture = make_lecture()
    [docx] = services.attachments_add(
        lecture=lecture,
        uploads=[
            services.attachment_check(upload=upload("a.docx", office_zip("word/document.xml")))
        ],
    )
    client.force_login(make_user())
    assert download(client, docx)["Content-Disposition"].startswith("attachment")


def test_range_requests_for_media(client, pdf_attachment):
    client.force_login(make_user())
    partial = download(client, pdf_attachment, HTTP_RANGE="bytes=0-9")
    assert partial.status_code == 206
    assert partial["Content-Range"] == f"bytes 0-9/{len(PDF)}"
    assert b"".join(partial.streaming_content) == PDF[:10]
    tail = download(client, pdf_attachment, HTTP_RANGE="bytes=-5")
    assert b"".join(tail.streaming_content) == PDF[-5:]
    beyond = download(client, pdf_attachment, HTTP_RANGE=f"bytes={len(PDF) + 10}-")
    assert beyond.status_code == 416


def test_attachments_of_unpublished_lectures_are_hidden(client, org):
    lecture = make_lecture(published=False)
    [attachment] = services.attachments_add(
        lecture=lecture, uploads=[services.attachment_check(upload=upload("x.pdf", PDF))]
    )
    client.force_login(org.member_a1)
    assert download(client, attachment).status_code == 404
    client.force_login(org.city_admin)  # previewing before publishing
    assert download(client, attachment).status_code == 200


def test_downloads_need_sign_in(client, pdf_attachment):
    response = download(client, pdf_attachment)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
