"""The size limit of a page's file upload, checked before the request body is read."""

from __future__ import annotations

from flask import request
from flask_babel import gettext as _

# what a multipart upload adds to the file itself (boundaries, the other fields)
UPLOAD_OVERHEAD = 64 * 1024


def too_large(limit: int) -> str | None:
    """Why the upload is refused before it is read: larger than `limit` bytes. Else None, and this request alone may
    be larger than the limit of every other request."""
    if request.content_length is not None and request.content_length > limit + UPLOAD_OVERHEAD:
        return _("The file is larger than %(size)s MB.", size=limit // (1024 * 1024))
    request.max_content_length = limit + UPLOAD_OVERHEAD
    return None
