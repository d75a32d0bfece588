"""Serving attachments: permission-checked, the stored type, ranges for media."""

import re

from django.http import FileResponse, HttpResponse

from .models import Attachment, AttachmentKind

INLINE_KINDS = {
    AttachmentKind.PDF,
    AttachmentKind.AUDIO,
    AttachmentKind.VIDEO,
    AttachmentKind.IMAGE,
}
RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


class _Window:
    """A read-only view of ``length`` bytes of ``file`` from ``start``."""

    def __init__(self, file, start: int, length: int):
        self.file = file
        self.left = length
        file.seek(start)

    def read(self, size: int = -1) -> bytes:
        if self.left <= 0:
            return b""
        size = self.left if size < 0 else min(size, self.left)
        chunk = self.file.read(size)
        self.left -= len(chunk)
        return chunk

    def close(self):
        self.file.close()


def attachment_response(request, attachment: Attachment) -> HttpResponse:
    """The file with its sniffed type (never guessed from the name), inline where a
    phone can show it (PDF, audio, video, images), with single-range support so
    audio and video can seek."""
    size = attachment.size
    file_options = {
        "as_attachment": attachment.kind not in INLINE_KINDS,
        "filename": attachment.download_name,
        "content_type": attachment.content_type,
    }
    headers = {
        "Accept-Ranges": "bytes",
        "Cache-Control": "private, max-age=3600",
        "X-Content-Type-Options": "nosniff",
    }
    match = RANGE.match(request.headers.get("Range", "").strip())
    if match and (match.group(1) or match.group(2)):
        first, last = match.groups()
        if first:
            start, end = int(first), int(last) if last else size - 1
        else:  # a suffix: the last N bytes
            start, end = max(0, size - int(last)), size - 1
        end = min(end, size - 1)
        if start > end or start >= size:
            return HttpResponse(status=416, headers={"Content-Range": f"bytes */{size}"})
        body = _Window(attachment.file.open("rb"), start, end - start + 1)
        response = FileResponse(body, status=206, headers=headers, **file_options)
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
        response["Content-Length"] = str(end - start + 1)
        return response
    response = FileResponse(attachment.file.open("rb"), headers=headers, **file_options)
    response["Content-Length"] = str(size)
    return response
