"""Holding an uploaded file between its preview and the user's confirmation.

The file goes to the default storage under a random name, and the session remembers which file the user
uploaded, so a confirmation can only apply the user's own previewed file.
"""

import uuid
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

SESSION_KEY = "pending_uploads"


def stash_upload(request, *, purpose: str, name: str, data: bytes) -> str:
    token = uuid.uuid4().hex
    suffix = Path(name).suffix.lower()[:8]
    stored = default_storage.save(f"uploads/pending/{token}{suffix}", ContentFile(data))
    pending = request.session.get(SESSION_KEY, {})
    pending[token] = {"purpose": purpose, "path": stored, "name": name}
    request.session[SESSION_KEY] = pending
    return token


def read_stashed(request, *, purpose: str, token: str) -> tuple[str, bytes] | None:
    entry = request.session.get(SESSION_KEY, {}).get(token)
    if not entry or entry["purpose"] != purpose or not default_storage.exists(entry["path"]):
        return None
    with default_storage.open(entry["path"], "rb") as handle:
        return entry["name"], handle.read()


def discard_stashed(request, *, token: str) -> None:
    pending = request.session.get(SESSION_KEY, {})
    entry = pending.pop(token, None)
    request.session[SESSION_KEY] = pending
    if entry and default_storage.exists(entry["path"]):
        default_storage.delete(entry["path"])
