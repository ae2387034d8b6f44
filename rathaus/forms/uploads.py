"""What kind of file an upload really is, judged by its first bytes.

The name and the content type the browser sends are chosen by the sender and prove nothing; a
program or an HTML page renamed to ``.pdf`` must not reach a caseworker's machine as a PDF.
"""

from __future__ import annotations

import filetype

SNIFF_BYTES = 8192
_IMAGE_KINDS = {"image/jpeg": "jpeg", "image/png": "png"}


def sniff_kind(head: bytes) -> str | None:
    """``"pdf"``, ``"jpeg"``, ``"png"`` or None for anything else."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    guess = filetype.guess(head)
    return _IMAGE_KINDS.get(guess.mime) if guess is not None else None


def safe_original_name(name: str | None) -> str:
    """The file name for display and download: no path, no control characters, bounded."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(char for char in base if char.isprintable() and char not in '"<>|:*?')
    return cleaned.strip(" .")[:200] or "datei"
