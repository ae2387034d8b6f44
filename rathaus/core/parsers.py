"""A faster multipart parser for the API's one-request submissions.

Django's multipart parser is written for streaming through upload handlers and costs about a
millisecond of Python for a form of twenty fields and one 200 KB file; the ``multipart``
library (the parser of Bottle, searching boundaries with ``bytes.find``) reads the same body
in a sixth of that. The API's submission is the busiest write the city has (issue 3), so its
views use this parser; the result is what Django's would give: a ``QueryDict`` of fields and
``UploadedFile``s with sanitised names. Django's limits apply: at most
``DATA_UPLOAD_MAX_NUMBER_FIELDS`` fields and ``DATA_UPLOAD_MAX_NUMBER_FILES`` files, fields of
at most ``DATA_UPLOAD_MAX_MEMORY_SIZE`` together, files above ``FILE_UPLOAD_MAX_MEMORY_SIZE``
kept in a temporary file instead of memory. A body it cannot read is refused with 400.

A body small enough to be kept in memory anyway (up to ``FILE_UPLOAD_MAX_MEMORY_SIZE``) is
first read whole and split at its boundaries (``_plain_parts``), if it is written exactly as
browsers and HTTP libraries write a form post: each part's ``Content-Disposition`` with a plain
quoted name (and file name), an optional ``Content-Type`` without parameters, nothing else.
That gives what the library gives for such a body, without its per-part machinery (a third of
its time for a form of twenty fields and a 200 KB file). Anything else in the body, or a
body that is not complete, goes to the library, which decides as before.
"""

from __future__ import annotations

import io

import multipart
from django.conf import settings
from django.core.files.uploadedfile import InMemoryUploadedFile, UploadedFile
from django.http import QueryDict
from django.http.multipartparser import MultiPartParser as DjangoMultiPartParser
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser, DataAndFiles

__all__ = ["FastMultiPartParser", "FormFields"]

# Without a setting Django counts no limit; a parser needs one.
_UNLIMITED_PARTS = 10_000


class FastMultiPartParser(BaseParser):
    media_type = "multipart/form-data"

    def parse(self, stream, media_type=None, parser_context=None):
        request = (parser_context or {}).get("request")
        _ctype, options = multipart.parse_options_header(media_type or "")
        boundary = options.get("boundary", "")
        if not boundary or len(boundary) > 200:
            raise ParseError(_("The form data could not be read: its boundary is missing."))
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0) if request is not None else -1
        except ValueError:
            length = -1
        max_fields = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS or _UNLIMITED_PARTS
        max_files = settings.DATA_UPLOAD_MAX_NUMBER_FILES or _UNLIMITED_PARTS
        max_field_bytes = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        stream = stream if stream is not None else _Empty()
        parser = None
        if 0 < length <= settings.FILE_UPLOAD_MAX_MEMORY_SIZE:
            body = stream.read(length)
            parser = _plain_parts(body, boundary) if len(body) == length else None
            if parser is None:
                stream = io.BytesIO(body)
        if parser is None:
            parser = multipart.MultipartParser(
                stream,
                boundary,
                content_length=length,
                charset="utf-8",
                part_limit=max_fields + max_files,
                spool_limit=settings.FILE_UPLOAD_MAX_MEMORY_SIZE,
                memory_limit=(max_field_bytes or 0) + 4 * settings.FILE_UPLOAD_MAX_MEMORY_SIZE,
            )
        fields: dict[str, list[str]] = {}
        files = MultiValueDict()
        field_count = file_count = field_bytes = 0
        try:
            for part in parser:
                if part.filename is None:
                    field_count += 1
                    field_bytes += part.size
                    if field_count > max_fields or (max_field_bytes and field_bytes > max_field_bytes):
                        raise ParseError(_("The form data is too large or has too many fields."))
                    fields.setdefault(part.name, []).append(part.value)
                    continue
                file_count += 1
                if file_count > max_files:
                    raise ParseError(_("The form data has too many files."))
                name = DjangoMultiPartParser.sanitize_file_name(None, part.filename)
                if not name:
                    continue  # an empty file input, as Django's parser skips it
                files.appendlist(part.name, _uploaded(part, name))
        except (multipart.MultipartError, UnicodeDecodeError, ValueError) as exc:
            _close(files)
            raise ParseError(_("The form data could not be read.")) from exc
        except ParseError:
            _close(files)
            raise
        return DataAndFiles(FormFields.from_lists(fields), files)


class _PlainPart:
    """A part as ``_plain_parts`` read it, with what the loop above asks of a library part."""

    __slots__ = ("content_type", "file", "filename", "name", "size", "value")

    def is_buffered(self) -> bool:
        return True


_DISPOSITION = 'Content-Disposition: form-data; name="'
_FILENAME = "; filename="
_CONTENT_TYPE = "Content-Type: "
# The library's limit of one header line (``headersize_limit``), here for both lines together.
_HEADER_BYTES = 4096 + 128


def _plain_parts(body: bytes, boundary: str) -> list[_PlainPart] | None:
    """The parts of a whole body written the plain way, or None if anything in it is not.

    Plain means: the first boundary at the very start; each part's headers are a
    ``Content-Disposition: form-data; name="…"`` line, optionally with ``; filename="…"``, and
    optionally a ``Content-Type: …`` line without parameters; names and file names without
    quotes, backslashes or percent signs (which the library would decode) in UTF-8; field values
    in UTF-8; the closing boundary followed by nothing or a line break. For such a body the
    library gives the same names, file names, types and contents (a test compares them)."""
    try:
        delimiter = b"\r\n--" + boundary.encode("ascii")
    except UnicodeEncodeError:
        return None
    opening = delimiter[2:] + b"\r\n"
    if not body.startswith(opening):
        return None
    find = body.find
    parts = []
    start = len(opening)
    while True:
        end = find(delimiter, start)
        headers_end = find(b"\r\n\r\n", start, end) if end >= 0 else -1
        if headers_end < 0 or headers_end - start > _HEADER_BYTES:
            return None
        try:
            headers = body[start:headers_end].decode()
        except UnicodeDecodeError:
            return None
        disposition, _newline, content_type = headers.partition("\r\n")
        if not disposition.startswith(_DISPOSITION) or "%" in headers or "\\" in headers:
            return None
        quoted = disposition[len(_DISPOSITION) :].split('"', 3)
        part = _PlainPart()
        if len(quoted) == 2 and not quoted[1]:
            part.filename = None
        elif len(quoted) == 4 and quoted[1] == _FILENAME and not quoted[3]:
            part.filename = quoted[2]
        else:
            return None
        part.name = quoted[0]
        if content_type:
            if not content_type.startswith(_CONTENT_TYPE) or ";" in content_type or "\n" in content_type:
                return None
            part.content_type = content_type[len(_CONTENT_TYPE) :].lower().strip()
        else:
            part.content_type = "application/octet-stream" if part.filename else "text/plain"
        content = body[headers_end + 4 : end]
        part.size = len(content)
        if part.filename is None:
            try:
                part.value, part.file = content.decode(), None
            except UnicodeDecodeError:
                return None
        else:
            part.value, part.file = None, io.BytesIO(content)
        parts.append(part)
        after = end + len(delimiter)
        following = body[after : after + 2]
        if following == b"\r\n":
            start = after + 2
        elif following == b"--" and body[after + 2 :] in (b"", b"\r\n"):
            return parts
        else:
            return None


class FormFields(QueryDict):
    """The fields of a form post, as Django's parser gives them (an immutable ``QueryDict``),
    built from the parts at once instead of one ``appendlist`` each, and copied without
    ``deepcopy``: its values are strings. DRF copies a form post's fields on every request
    that has files, to join them; both were a twentieth of a submission's time (issue 3)."""

    @classmethod
    def from_lists(cls, lists: dict[str, list[str]]) -> FormFields:
        fields = cls(mutable=True)
        for key, values in lists.items():
            dict.__setitem__(fields, key, values)
        fields._mutable = False
        return fields

    def copy(self) -> QueryDict:
        result = QueryDict(mutable=True)
        for key, values in self.lists():
            dict.__setitem__(result, key, list(values))
        return result


def _uploaded(part, name: str) -> UploadedFile:
    part.file.seek(0)
    content_type = part.content_type or "application/octet-stream"
    if part.is_buffered():
        return InMemoryUploadedFile(part.file, part.name, name, content_type, part.size, None)
    return UploadedFile(part.file, name, content_type, part.size)


def _close(files: MultiValueDict) -> None:
    for _name, uploads in files.lists():
        for uploaded in uploads:
            uploaded.close()


class _Empty:
    def read(self, size=-1) -> bytes:
        return b""
