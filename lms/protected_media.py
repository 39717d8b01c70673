"""Serves uploaded files from MEDIA_ROOT behind an access check, with HTTP Range support so that
videos can seek in a browser. In production the check stays here and the bytes can be handed to
the proxy with X-Accel-Redirect (nginx) or X-Sendfile (Apache) via MEDIA_SERVE_METHOD.

Access: files under MEDIA_PUBLIC_PREFIXES (catalogue images) are public; everything else needs a
logged-in user. Feature apps with owner-only files (certificates) add their own stricter views."""

import mimetypes
import posixpath
import re
from pathlib import Path

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils.http import http_date
from django.views.decorators.http import require_http_methods

RANGE_RE = re.compile(r"^bytes=(\d*)-(\d*)$")


def _normalize(path: str) -> str:
    """The path with "." and ".." segments folded, so that the access check sees where the path
    really leads ("images/../documents/x.pdf" is a document, not a public image); 404 if it
    climbs out of MEDIA_ROOT."""
    normalized = posixpath.normpath(path)
    if normalized in (".", "..") or normalized.startswith(("../", "/")):
        raise Http404
    return normalized


def _resolve(path: str) -> Path:
    root = Path(settings.MEDIA_ROOT).resolve()
    target = (root / path).resolve()
    if root not in target.parents or not target.is_file():
        raise Http404
    return target


def _parse_range(header: str, size: int):
    """(start, end) inclusive for a single satisfiable byte range, None for no/ignored range,
    or "unsatisfiable"."""
    match = RANGE_RE.match(header.strip())
    if not match:
        return None
    first, last = match.groups()
    if first == "" and last == "":
        return None
    if first == "":
        length = int(last)
        if length == 0:
            return "unsatisfiable"
        return max(size - length, 0), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or end < start:
        return "unsatisfiable"
    return start, end


class RangeFileWrapper:
    def __init__(self, fileobj, start, length, block_size=64 * 1024):
        self.fileobj, self.remaining, self.block_size = fileobj, length, block_size
        self.fileobj.seek(start)

    def close(self):
        self.fileobj.close()

    def __iter__(self):
        try:
            while self.remaining > 0:
                chunk = self.fileobj.read(min(self.block_size, self.remaining))
                if not chunk:
                    break
                self.remaining -= len(chunk)
                yield chunk
        finally:
            self.fileobj.close()


def may_access(request: HttpRequest, path: str) -> bool:
    if path.startswith(tuple(settings.MEDIA_PUBLIC_PREFIXES)):
        return True
    return request.user.is_authenticated


@require_http_methods(["GET", "HEAD"])
def serve_media(request: HttpRequest, path: str) -> HttpResponse:
    path = _normalize(path)
    if not may_access(request, path):
        return redirect_to_login(request.get_full_path())
    target = _resolve(path)
    return file_response(request, target, path)


def file_response(request: HttpRequest, target: Path, relative_path: str) -> HttpResponse:
    content_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
    method = settings.MEDIA_SERVE_METHOD
    if method in {"x-accel-redirect", "x-sendfile"}:
        response = HttpResponse(content_type=content_type)
        if method == "x-accel-redirect":
            response["X-Accel-Redirect"] = settings.MEDIA_INTERNAL_PREFIX.rstrip("/") + "/" + relative_path
        else:
            response["X-Sendfile"] = str(target)
        return response

    stat = target.stat()
    size = stat.st_size
    byte_range = _parse_range(request.headers.get("Range", ""), size)
    if byte_range == "unsatisfiable":
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    if byte_range is None:
        response = FileResponse(open(target, "rb"), content_type=content_type)
        response["Content-Length"] = str(size)
    else:
        start, end = byte_range
        length = end - start + 1
        # Streamed: a range may be most of a large video, which must not be read into memory.
        response = StreamingHttpResponse(RangeFileWrapper(open(target, "rb"), start, length), status=206,
                                         content_type=content_type)
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
        response["Content-Length"] = str(length)
    response["Accept-Ranges"] = "bytes"
    response["Last-Modified"] = http_date(stat.st_mtime)
    response["Cache-Control"] = "private, max-age=3600"
    return response
