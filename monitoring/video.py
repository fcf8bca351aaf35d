"""The video surveillance record of a sitting (Регламент 4.3.10, 8.1): which rooms and whether the printing of the
materials were under video, where the recording is kept and until when."""

from __future__ import annotations

from monitoring.models import VideoRecord


def video_record_for(sitting) -> VideoRecord | None:
    """The school's video record of this sitting, or None when the school has recorded nothing yet."""
    return VideoRecord.objects.filter(sitting=sitting).prefetch_related("rooms__room").first()
