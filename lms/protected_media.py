"""Serves uploaded files from MEDIA_ROOT behind an access check, with HTTP Range support so that
videos can seek in a browser. In production the check stays here and the bytes can be handed to
the proxy with X-Accel-Redirect (nginx) or X-Sendfile (Apache) via MEDIA_SERVE_METHOD.

Access is an allow-list of the directories the content libraries write to:
- MEDIA_PUBLIC_PREFIXES (Wagtail images and their renditions, shown on the public catalogue):
  anyone;
- MEDIA_LOGGED_IN_PREFIXES (course material: wagtailmedia videos/audio and their thumbnails,
  Wagtail documents such as handouts and subtitle files): any logged-in user. Videos are not
  limited to enrolled learners: a lesson page shows its player to every logged-in visitor of the
  catalogue (micro-videos are open to all party members), and a video can be used by several
  lessons, so enrolment is no boundary for the file;
- anything else — certificates/ (certificates of record, named by a guessable serial),
  records/exports/ (HR exports), and any owner-only directory a later app adds — is a 404 here,
  for everyone including superusers: those files are served by their apps' own access-checked
  views (lms.certificates.views.download, lms.records.admin_views.export_download). An allow-list
  rather than a deny-list, so that a new upload directory is private until someone decides.

The path is checked after "." and ".." are folded and again after symlinks are resolved, so
"images/../certificates/x.pdf", "media/%2e%2e/records/..." or a symlink in media/ pointing at
an owner-only directory all land on the rule of where the file really is.

Wagtail serves documents by id at /documents/<id>/<name> through its own view; this module also
makes that view require a login (before_serve_document), so a handout of a members-only course
cannot be fetched anonymously by counting ids."""

import mimetypes
import posixpath
import re
from pathlib import Path

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from wagtail import hooks
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils.http import http_date
from django.views.decorators.http import require_http_methods

RANGE_RE = re.compile(r"^bytes=(\d*)-(\d*)$")

# wagtailmedia files and thumbnails, Wagtail documents (upload_to of those models)
DEFAULT_LOGGED_IN_PREFIXES = ("media/", "media_thumbnails/", "documents/")


def _logged_in_prefixes():
    return tuple(getattr(settings, "MEDIA_LOGGED_IN_PREFIXES", DEFAULT_LOGGED_IN_PREFIXES))


def _normalize(path: str) -> str:
    """The path with "." and ".." segments folded, so that the access check sees where the path
    really leads ("images/../documents/x.pdf" is a document, not a public image); 404 if it
    climbs out of MEDIA_ROOT."""
    if "\x00" in path or "\\" in path:
        raise Http404
    normalized = posixpath.normpath(path)
    if normalized in (".", "..") or normalized.startswith(("../", "/")):
        raise Http404
    return normalized


def _resolve(path: str) -> Path:
    """The file the path names, 404 unless it is a file inside MEDIA_ROOT whose real location
    (symlinks followed) is in a servable directory."""
    root = Path(settings.MEDIA_ROOT).resolve()
    target = (root / path).resolve()
    if root not in target.parents or not target.is_file():
        raise Http404
    if access_rule(target.relative_to(root).as_posix()) is None:
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


def access_rule(path: str):
    """"public", "logged-in", or None (never served here) for a normalized relative path."""
    if path.startswith(tuple(settings.MEDIA_PUBLIC_PREFIXES)):
        return "public"
    if path.startswith(_logged_in_prefixes()):
        return "logged-in"
    return None


def may_access(request: HttpRequest, path: str) -> bool:
    rule = access_rule(path)
    if rule is None:
        raise Http404
    return rule == "public" or request.user.is_authenticated


@require_http_methods(["GET", "HEAD"])
def serve_media(request: HttpRequest, path: str) -> HttpResponse:
    path = _normalize(path)
    if not may_access(request, path):
        return redirect_to_login(request.get_full_path())
    target = _resolve(path)
    return file_response(request, target, path)


@hooks.register("before_serve_document")
def documents_need_a_login(document, request):
    """Wagtail's document view serves any document to anyone by id; ours are course material."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return None


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
