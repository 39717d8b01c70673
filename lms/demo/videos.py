"""Demo micro-videos: small real, playable H.264 MP4 files made at demo-load time with PyAV and
numpy (no downloads): a moving colour pattern with the film's title drawn by Pillow in a CJK font.

Generation is fast (a fraction of a second per film at 320x180, 10 fps) and idempotent: a Media
item with the same title whose file exists is kept as it is."""

import math
import os
import tempfile
from pathlib import Path

from django.core.files.base import ContentFile

WIDTH, HEIGHT, FPS = 320, 180, 10
FONT_CANDIDATES = [
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc",
]

def _font(size):
    from PIL import ImageFont

    for path in FONT_CANDIDATES:
        if Path(path).exists():
            try:
                return ImageFont.truetype(path, size)
            except OSError:
                continue
    return ImageFont.load_default()


def _title_overlay(title, subtitle):
    """An RGBA overlay with the title, rendered once per film."""
    from PIL import Image, ImageDraw

    overlay = Image.new("RGBA", (WIDTH, HEIGHT), (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    draw.rectangle((0, HEIGHT - 64, WIDTH, HEIGHT - 12), fill=(0, 0, 0, 140))
    draw.text((WIDTH // 2, HEIGHT - 48), f"《{title}》", font=_font(22), fill=(255, 255, 255, 255), anchor="mm")
    draw.text((WIDTH // 2, HEIGHT - 23), subtitle, font=_font(12), fill=(255, 230, 160, 255), anchor="mm")
    return overlay


def render_video(title, seconds, colour, subtitle="党员教育微视频") -> bytes:
    """H.264 MP4 bytes: `seconds` long, a moving pattern, the title and a running clock. The
    pattern and the overlays are numpy arrays (separable waves, pre-rendered text), so a minute
    of video takes well under a second."""
    import av
    import numpy as np
    from PIL import Image, ImageDraw

    overlay = np.asarray(_title_overlay(title, subtitle), dtype=np.float32)
    alpha = overlay[..., 3:4] / 255.0
    title_rgb = overlay[..., :3] * alpha
    keep = 1.0 - alpha
    clock_font = _font(16)
    clocks = {}
    xs = np.arange(WIDTH, dtype=np.float32)
    ys = np.arange(HEIGHT, dtype=np.float32)
    base = np.array(colour, dtype=np.float32)
    yy, xx = np.mgrid[-14:15, -14:15]
    disc = (xx * xx + yy * yy) <= 14 * 14
    # A real file: +faststart (index first, so the browser can start playing at once) rewrites it.
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "film.mp4"
        with av.open(str(path), mode="w", format="mp4", options={"movflags": "+faststart"}) as container:
            stream = container.add_stream("libx264", rate=FPS)
            stream.width, stream.height, stream.pix_fmt = WIDTH, HEIGHT, "yuv420p"
            stream.options = {"preset": "veryfast", "crf": "30"}
            for index in range(seconds * FPS):
                t = index / FPS
                wave = 0.5 + 0.5 * np.outer(np.cos(ys / 29.0 - t * 1.3), np.sin(xs / 37.0 + t * 2.0))
                frame = base * (0.55 + 0.45 * wave[..., None])
                frame = frame * keep + title_rgb
                cx = int(WIDTH / 2 + WIDTH / 3 * math.sin(t * 0.9))
                cy = int(HEIGHT / 3 + 20 * math.cos(t * 1.7))
                frame[cy - 14:cy + 15, cx - 14:cx + 15][disc] = (255, 215, 0)
                second = int(t)
                if second not in clocks:
                    label = Image.new("RGB", (56, 22), (0, 0, 0))
                    ImageDraw.Draw(label).text((4, 1), f"{second // 60:02d}:{second % 60:02d}", font=clock_font,
                                               fill=(255, 255, 255))
                    clocks = {second: np.asarray(label, dtype=np.float32)}
                frame[6:28, 6:62] = clocks[second]
                video_frame = av.VideoFrame.from_ndarray(frame.astype(np.uint8), format="rgb24")
                for packet in stream.encode(video_frame):
                    container.mux(packet)
            for packet in stream.encode():
                container.mux(packet)
        return path.read_bytes()


def _readable(storage, name):
    from courses.media import UnreadableMedia, read_media_info

    try:
        with storage.open(name, "rb") as fileobj:
            read_media_info(fileobj)
    except (OSError, UnreadableMedia):
        return False
    return True


def _write_file(storage, name, data):
    """Write `data` at exactly `name` (replacing what is there): atomically on the local disk, so
    that parallel loaders (test workers) never see half a file."""
    if hasattr(storage, "path"):
        target = Path(storage.path(name))
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=target.parent, delete=False, suffix=".part") as tmp:
            tmp.write(data)
        os.chmod(tmp.name, 0o644)
        os.replace(tmp.name, target)
    else:  # remote storage
        if storage.exists(name):
            storage.delete(name)
        storage.save(name, ContentFile(data))


def ensure_media(slug, title, seconds, colour):
    """The wagtailmedia Media item of a demo film, with its file media/demo/<slug>.mp4. The file
    is rendered only when it is missing or unreadable; the Media row only made when missing.
    Returns (media, rendered)."""
    from django.core.files.storage import default_storage
    from wagtailmedia.models import get_media_model

    Media = get_media_model()
    name = f"media/demo/{slug}.mp4"
    rendered = False
    if not _readable(default_storage, name):
        _write_file(default_storage, name, render_video(title, seconds, colour))
        rendered = True
    media = Media.objects.filter(file=name).first()
    if media is None:
        media = Media(title=f"《{title}》", type="video", width=WIDTH, height=HEIGHT)
        media.file.name = name
        media.save()  # the duration is read from the file (courses.media)
    elif rendered or not media.duration:
        media.duration = None
        media.save()
    return media, rendered


def ensure_subtitles(slug, title, summary, seconds):
    """A small WebVTT subtitle document for a demo film (a Wagtail document), made once."""
    from wagtail.documents import get_document_model

    Document = get_document_model()
    doc_title = f"《{title}》字幕"
    document = Document.objects.filter(title=doc_title).first()
    if document is not None and document.file and document.file.storage.exists(document.file.name):
        return document
    third = max(1, seconds // 3)
    cues = [(0, third, f"《{title}》"), (third, 2 * third, summary), (2 * third, seconds, "党员教育微视频")]
    lines = ["WEBVTT", ""]
    for index, (start, end, text) in enumerate(cues, 1):
        lines += [str(index), f"00:{start // 60:02d}:{start % 60:02d}.000 --> 00:{end // 60:02d}:{end % 60:02d}.000 line:8%",
                  text, ""]
    from django.core.files.storage import default_storage

    name = f"documents/demo/{slug}.vtt"
    data = "\n".join(lines).encode("utf-8")
    if not default_storage.exists(name) or default_storage.size(name) != len(data):
        _write_file(default_storage, name, data)  # one fixed file per film: loading again adds none
    document = document or Document(title=doc_title)
    document.file.name = name
    document.save()
    return document
