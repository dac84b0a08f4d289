"""Where uploaded course material is kept: a storage of its own, never served by a
URL of its own (files go out only through views that check who may open them)."""

from __future__ import annotations

import contextlib
import os
import tempfile
from functools import cached_property
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class PrivateFileSystemStorage(FileSystemStorage):
    """Local disk under MEDIA_ROOT/private (or `location`). A file is written to a
    temporary name in its directory, flushed, then renamed into place: a crash or a
    full disk leaves no half-written file under a real name."""

    def __init__(self, location: str | None = None, **kwargs: Any) -> None:
        kwargs.pop("base_url", None)
        super().__init__(location=location, **kwargs)

    @cached_property
    def base_location(self) -> str:
        return self._value_or_setting(
            self._location,  # type: ignore[attr-defined]
            os.path.join(settings.MEDIA_ROOT, "private"),
        )

    def url(self, name: str | None) -> str:
        raise ValueError("Private files have no URL; they are served by a view.")

    def _save(self, name: str, content: Any) -> str:
        full_path = self.path(name)
        directory = os.path.dirname(full_path)
        os.makedirs(directory, exist_ok=True)
        if os.path.exists(full_path):
            raise FileExistsError(name)
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=".partial-")
        try:
            with os.fdopen(handle, "wb") as out:
                content.seek(0)
                for chunk in content.chunks():
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            if self.file_permissions_mode is not None:
                os.chmod(temporary, self.file_permissions_mode)
            os.replace(temporary, full_path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
        return str(name).replace("\\", "/")
