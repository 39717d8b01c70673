"""Reading what a trainer uploads to the media library (wagtailmedia): a video's duration and
size, read from the file itself with PyAV, so that watch coverage has a real length to measure
against. An unreadable file is a validation error in the upload form, never a 500."""

import logging
import math

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtailmedia.forms import BaseMediaForm

logger = logging.getLogger(__name__)


class UnreadableMedia(ValueError):
    pass


def read_media_info(fileobj):
    """(duration in seconds, width, height) of an audio/video file or file-like object; width and
    height are None for audio. Raises UnreadableMedia when the file cannot be decoded."""
    import av

    try:
        if hasattr(fileobj, "seek"):
            fileobj.seek(0)
        with av.open(fileobj, mode="r") as container:
            duration = None
            width = height = None
            video = container.streams.video[0] if container.streams.video else None
            if container.duration:
                duration = container.duration / 1_000_000  # av.time_base
            stream = video or (container.streams.audio[0] if container.streams.audio else None)
            if stream is None:
                raise UnreadableMedia("no audio or video stream")
            if not duration and stream.duration and stream.time_base:
                duration = float(stream.duration * stream.time_base)
            if video is not None:
                width, height = video.codec_context.width or None, video.codec_context.height or None
    except UnreadableMedia:
        raise
    except Exception as error:  # PyAV raises many kinds of errors for bad input
        raise UnreadableMedia(str(error)) from error
    finally:
        if hasattr(fileobj, "seek"):
            try:
                fileobj.seek(0)
            except Exception:  # noqa: BLE001 - closed or unseekable: nothing more to do
                pass
    if duration is None or not math.isfinite(duration) or duration <= 0:
        raise UnreadableMedia("no duration")
    return duration, width, height


def _open_field_file(field_file):
    """A readable file object for a FieldFile, committed or just uploaded."""
    if not field_file._committed:
        return field_file.file
    return field_file.storage.open(field_file.name, "rb")


def fill_media_info(media):
    """Set duration (and width/height when empty) of a Media from its file, if the duration is
    empty. Returns True when it read the file. Raises UnreadableMedia."""
    if media.duration or not media.file:
        return False
    fileobj = _open_field_file(media.file)
    try:
        duration, width, height = read_media_info(fileobj)
    finally:
        if media.file._committed:
            fileobj.close()
    media.duration = round(duration, 3)
    if width and not media.width:
        media.width, media.height = width, height
    return True


def fill_media_info_before_save(sender, instance, raw=False, **kwargs):
    """pre_save: media saved outside the admin form (scripts, demo data) get their duration too;
    an unreadable file there is logged and left for VideoLessonPage.clean to refuse."""
    if raw:
        return
    try:
        fill_media_info(instance)
    except UnreadableMedia as error:
        logger.warning("Could not read the duration of media %r: %s", instance.file.name, error)


class MediaForm(BaseMediaForm):
    """The media library's upload/edit form (WAGTAILMEDIA["MEDIA_FORM_BASE"]): reads the
    duration from the uploaded file and refuses files that cannot be decoded."""

    def clean(self):
        cleaned_data = super().clean()
        uploaded = cleaned_data.get("file")
        if uploaded is None or "file" not in self.changed_data:
            return cleaned_data
        try:
            duration, width, height = read_media_info(uploaded)
        except UnreadableMedia:
            raise ValidationError(
                {"file": _("This file could not be read as audio or video. Upload a playable file (e.g. MP4).")}
            ) from None
        cleaned_data["duration"] = round(duration, 3)
        self.instance.duration = round(duration, 3)
        if width and "width" in self.fields and not cleaned_data.get("width"):
            cleaned_data["width"], cleaned_data["height"] = width, height
        return cleaned_data



