"""
What an uploaded file really is, judged by its bytes, not its name.

Only the kinds a lecture needs are accepted (PDF, slides, documents, audio,
video, raster images); anything else, an executable above all, is refused with
a message that says what the file looked like. A name that contradicts the
content (``slides.pdf`` holding a program) is refused too.
"""

import zipfile
from dataclasses import dataclass
from typing import BinaryIO

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


@dataclass(frozen=True)
class FileType:
    kind: str  # AttachmentKind value
    content_type: str
    extension: str
    label: str


PDF = FileType("pdf", "application/pdf", ".pdf", "PDF")
PPTX = FileType(
    "slides",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".pptx",
    "PPTX",
)
DOCX = FileType(
    "document",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".docx",
    "DOCX",
)
XLSX = FileType(
    "document", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx", "XLSX"
)
PPT = FileType("slides", "application/vnd.ms-powerpoint", ".ppt", "PPT")
DOC = FileType("document", "application/msword", ".doc", "DOC")
MP3 = FileType("audio", "audio/mpeg", ".mp3", "MP3")
M4A = FileType("audio", "audio/mp4", ".m4a", "M4A")
WAV = FileType("audio", "audio/wav", ".wav", "WAV")
OGG = FileType("audio", "audio/ogg", ".ogg", "OGG")
MP4 = FileType("video", "video/mp4", ".mp4", "MP4")
MOV = FileType("video", "video/quicktime", ".mov", "MOV")
WEBM = FileType("video", "video/webm", ".webm", "WebM")
PNG = FileType("image", "image/png", ".png", "PNG")
JPEG = FileType("image", "image/jpeg", ".jpg", "JPEG")
GIF = FileType("image", "image/gif", ".gif", "GIF")
WEBP = FileType("image", "image/webp", ".webp", "WebP")

ACCEPTED_DESCRIPTION = gettext_lazy(
    "PDF, PPT/PPTX, DOC/DOCX/XLSX, MP3/M4A/WAV/OGG, MP4/MOV/WebM, PNG/JPEG/GIF/WebP"
)
#: Extensions each type may carry in an uploaded name (besides its own).
ALIASES = {".jpeg": JPEG, ".jpe": JPEG, ".m4v": MP4, ".oga": OGG, ".opus": OGG}
KNOWN_BY_EXTENSION = {
    t.extension: t
    for t in (
        PDF,
        PPTX,
        DOCX,
        XLSX,
        PPT,
        DOC,
        MP3,
        M4A,
        WAV,
        OGG,
        MP4,
        MOV,
        WEBM,
        PNG,
        JPEG,
        GIF,
        WEBP,
    )
} | ALIASES


class RefusedFile(ValueError):
    """The file is not one we accept; the message says why, for the uploader."""


def _describe_unaccepted(head: bytes) -> str:
    if (
        head.startswith(b"MZ")
        or head.startswith(b"\x7fELF")
        or head[:4]
        in (
            b"\xcf\xfa\xed\xfe",
            b"\xca\xfe\xba\xbe",
        )
    ):
        return _("an executable program")
    if head.lstrip().lower().startswith((b"<svg", b"<?xml", b"<!doctype html", b"<html")):
        return _("a web page or SVG drawing")
    if head.startswith(b"PK"):
        return _("a ZIP archive")
    if head.startswith((b"Rar!", b"7z\xbc\xaf")):
        return _("a compressed archive")
    return _("an unknown format")


def sniff(stream: BinaryIO, name: str = "") -> FileType:
    """Returns the accepted type of ``stream`` (rewound afterwards) or raises RefusedFile."""
    stream.seek(0)
    head = stream.read(64)
    stream.seek(0)
    ext = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    found = _sniff(head, stream, ext)
    stream.seek(0)
    if found is None:
        raise RefusedFile(
            _("This file is %(what)s, which cannot be attached. Accepted: %(accepted)s.")
            % {"what": _describe_unaccepted(head), "accepted": ACCEPTED_DESCRIPTION}
        )
    claimed = KNOWN_BY_EXTENSION.get(ext)
    if ext and claimed is None:
        raise RefusedFile(
            _("Files named %(ext)s are not accepted. Accepted: %(accepted)s.")
            % {"ext": ext, "accepted": ACCEPTED_DESCRIPTION}
        )
    if claimed is not None and claimed.kind != found.kind:
        raise RefusedFile(
            _("The name says %(claimed)s but the content is %(found)s; refused.")
            % {"claimed": claimed.label, "found": found.label}
        )
    return found


def _sniff(head: bytes, stream: BinaryIO, ext: str) -> FileType | None:
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return WAV
    if head.startswith(b"OggS"):
        return OGG
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return MP3
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"M4A ", b"M4B "):
            return M4A
        if brand == b"qt  ":
            return MOV
        return MP4
    if head.startswith(b"\x1aE\xdf\xa3"):
        return WEBM
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        # An OLE compound file: old PowerPoint or Word; the name says which.
        return {".ppt": PPT, ".doc": DOC}.get(ext)
    if head.startswith(b"PK\x03\x04"):
        return _sniff_office_zip(stream)
    return None


def _sniff_office_zip(stream: BinaryIO) -> FileType | None:
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        return None
    if "[Content_Types].xml" not in names:
        return None
    if "ppt/presentation.xml" in names:
        return PPTX
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    return None
