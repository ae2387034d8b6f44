"""The API's multipart parser reads what Django's parser reads, within Django's limits."""

import io

import multipart
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import QueryDict
from django.http.multipartparser import MultiPartParser as DjangoMultiPartParser
from django.test import RequestFactory
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework.exceptions import ParseError

from rathaus.core.parsers import FastMultiPartParser, _plain_parts

PDF = b"%PDF-1.7\n" + b"x" * 3000 + b"\n%%EOF\n"


def _parse_both(body: bytes, content_type: str = MULTIPART_CONTENT):
    request = RequestFactory().generic("POST", "/", body, content_type=content_type)
    ours = FastMultiPartParser().parse(io.BytesIO(body), content_type, {"request": request})
    meta = {"CONTENT_TYPE": content_type, "CONTENT_LENGTH": str(len(body))}
    theirs = DjangoMultiPartParser(meta, io.BytesIO(body), request.upload_handlers, "utf-8").parse()
    return ours, theirs


def _files(files):
    return {
        name: [(f.name, f.content_type, f.size, f.read()) for f in uploads] for name, uploads in files.lists()
    }


field_text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r"), max_size=40)


@settings(max_examples=60, deadline=None)
@given(
    fields=st.dictionaries(st.from_regex(r"[a-z][a-z_0-9]{0,12}", fullmatch=True), field_text, max_size=8),
    repeated=st.lists(field_text, max_size=3),
    content=st.binary(max_size=5000),
    filename=st.sampled_from(
        ["nachweis.pdf", "Plan Ä ü.pdf", "../../etc/passwd", "C:\\temp\\a.pdf", "a;b.pdf"]
    ),
)
def test_reads_what_djangos_parser_reads(fields, repeated, content, filename):
    body = encode_multipart(
        BOUNDARY,
        {**fields, "many": repeated, "evidence": SimpleUploadedFile(filename, content, "application/pdf")},
    )
    ours, theirs = _parse_both(body)
    assert {k: ours.data.getlist(k) for k in ours.data} == {k: theirs[0].getlist(k) for k in theirs[0]}
    assert _files(ours.files) == _files(theirs[1])
    # immutable as Django's; its (cheaper) copy is a mutable QueryDict of its own lists
    with pytest.raises(AttributeError):
        ours.data["many"] = "x"
    copied = ours.data.copy()
    assert type(copied) is QueryDict and dict(copied.lists()) == dict(theirs[0].copy().lists())
    copied.appendlist("many", "added")
    assert ours.data.getlist("many") == theirs[0].getlist("many")


def test_a_large_file_goes_to_a_temporary_file_and_reads_whole(settings):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024
    body = encode_multipart(
        BOUNDARY, {"a": "1", "evidence": SimpleUploadedFile("p.pdf", PDF, "application/pdf")}
    )
    ours, _ = _parse_both(body)
    upload = ours.files["evidence"]
    assert upload.size == len(PDF) and b"".join(upload.chunks()) == PDF
    assert not hasattr(upload.file, "getvalue")  # on disk, not in memory


def test_an_empty_file_input_is_left_out():
    # What a browser sends for a file input left empty.
    body = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n'
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="evidence"; filename=""\r\n'
        f"Content-Type: application/octet-stream\r\n\r\n\r\n--{BOUNDARY}--\r\n"
    ).encode()
    ours, theirs = _parse_both(body)
    assert "evidence" not in ours.files and "evidence" not in theirs[1]


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (
            b'--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nunterminated',
            "multipart/form-data; boundary=x",
        ),
        (b"garbage without any boundary", "multipart/form-data; boundary=x"),
        (
            b'--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n\xff\xfe\r\n--x--\r\n',
            "multipart/form-data; boundary=x",
        ),
        (b"", "multipart/form-data"),
    ],
)
def test_a_body_it_cannot_read_is_a_translated_parse_error(body, content_type):
    request = RequestFactory().generic("POST", "/", body, content_type=content_type)
    with translation.override("de"), pytest.raises(ParseError) as refused:
        FastMultiPartParser().parse(io.BytesIO(body), content_type, {"request": request})
    assert "Formulardaten" in str(refused.value.detail)


def test_djangos_limits_apply(settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 3
    body = encode_multipart(BOUNDARY, {f"f{i}": "x" for i in range(4)})
    with pytest.raises(ParseError):
        _parse_both(body)
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 100
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 50
    with pytest.raises(ParseError):
        _parse_both(encode_multipart(BOUNDARY, {"a": "x" * 30, "b": "y" * 30}))
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 1
    files = [SimpleUploadedFile(f"{i}.pdf", PDF, "application/pdf") for i in range(2)]
    with pytest.raises(ParseError):
        _parse_both(encode_multipart(BOUNDARY, {"evidence": files}))


@pytest.mark.django_db
def test_the_submission_api_answers_a_broken_body_with_400_and_stores_nothing(citizen):
    from rest_framework.test import APIClient

    from conftest import api_token
    from rathaus.cases.models import Case

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(citizen)}")
    body = b'--x\r\nContent-Disposition: form-data; name="service"\r\n\r\nparken'
    response = client.post(
        "/api/v1/cases/submissions/",
        body,
        content_type="multipart/form-data; boundary=x",
        HTTP_IDEMPOTENCY_KEY="k-1",
        HTTP_ACCEPT_LANGUAGE="de",
    )
    assert response.status_code == 400
    assert response.json()["detail"] == "Die Formulardaten konnten nicht gelesen werden."
    assert not Case.objects.exists()


# --- the plain body read without the library ---------------------------------------------------


def _library_parts(body: bytes, boundary: str):
    parser = multipart.MultipartParser(io.BytesIO(body), boundary, content_length=len(body), charset="utf-8")
    return [
        (p.name, p.filename, p.content_type, p.raw if p.filename is not None else p.value) for p in parser
    ]


def _plain(parts):
    return [
        (p.name, p.filename, p.content_type, p.file.getvalue() if p.filename is not None else p.value)
        for p in parts
    ]


names = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12).filter(
    lambda text: '"' not in text and "%" not in text and "\\" not in text
)


def _written(fields: dict, files: list) -> bytes:
    """A form post as browsers write it: fields, then files with their type."""
    chunks = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    for name, filename, content_type, content in files:
        chunks.append(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n".encode()
            + content
            + b"\r\n"
        )
    return b"".join(chunks) + f"--{BOUNDARY}--\r\n".encode()


@settings(max_examples=80, deadline=None)
@given(
    fields=st.dictionaries(names, field_text, min_size=1, max_size=6),
    files=st.lists(
        st.tuples(
            names,
            names,
            st.sampled_from(["application/pdf", "IMAGE/PNG", "text/plain "]),
            st.binary(max_size=3000),
        ),
        max_size=3,
    ),
)
def test_a_plain_body_is_read_without_the_library_and_as_the_library_reads_it(fields, files):
    body = _written(fields, files)
    parts = _plain_parts(body, BOUNDARY)
    assert parts is not None  # what browsers, HTTP libraries and Django's test client send
    assert _plain(parts) == _library_parts(body, BOUNDARY)


@settings(max_examples=500, deadline=None)
@given(
    fields=st.dictionaries(st.from_regex(r"[a-z]{1,6}", fullmatch=True), field_text, max_size=4),
    content=st.binary(max_size=1500),
    edits=st.lists(
        st.tuples(
            st.integers(min_value=0),
            st.sampled_from(["insert", "replace", "delete", "cut"]),
            st.binary(min_size=1, max_size=6),
        ),
        min_size=1,
        max_size=3,
    ),
    extra=st.sampled_from(
        [
            b"",
            b'"',
            b"%22",
            b"\\",
            b"; charset=latin-1",
            f"\r\n--{BOUNDARY}".encode(),
            f"\r\n--{BOUNDARY}--".encode(),
            b"\r\n",
            b"\r\nX-A: b",
            b"\xff",
            b"--",
            b" ",
        ]
    ),
)
def test_a_body_read_without_the_library_is_one_the_library_reads_the_same(fields, content, edits, extra):
    """Whatever the changes to a body: if the plain reading takes it, the library reads the
    same parts from it; anything the library refuses or reads otherwise, the plain reading
    leaves to it."""
    body = bytearray(
        encode_multipart(
            BOUNDARY, {**fields, "evidence": SimpleUploadedFile("a.pdf", content, "application/pdf")}
        )
    )
    for position, kind, data in edits:
        at = position % (len(body) + 1)
        if kind == "insert":
            body[at:at] = data + extra
        elif kind == "replace":
            body[at : at + len(data)] = data
        elif kind == "delete":
            del body[at : at + len(data)]
        else:
            del body[at:]
    body = bytes(body)
    parts = _plain_parts(body, BOUNDARY)
    if parts is None:
        return
    try:
        theirs = _library_parts(body, BOUNDARY)
    except (multipart.MultipartError, UnicodeDecodeError) as exc:
        pytest.fail(f"read plainly, refused by the library: {exc}")
    assert _plain(parts) == theirs


@pytest.mark.parametrize(
    ("disposition", "content_type"),
    [
        ('form-data; name="evidence"; filename="a%22b.pdf"', "application/pdf"),  # HTML5 escaping
        ('form-data; name="evidence"; filename="C:\\temp\\a.pdf"', "application/pdf"),  # old IE
        ("form-data; name=evidence; filename=a.pdf", "application/pdf"),  # unquoted
        ('form-data; name="evidence"; filename="a.pdf"', "application/pdf; name=a.pdf"),
        ('form-data;  name="evidence"; filename="a.pdf"', "application/pdf"),
    ],
)
def test_a_body_that_is_not_plain_is_left_to_the_library(disposition, content_type):
    body = (
        (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n'
            f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\nContent-Type: {content_type}\r\n\r\n"
        ).encode()
        + PDF
        + f"\r\n--{BOUNDARY}--\r\n".encode()
    )
    assert _plain_parts(body, BOUNDARY) is None
    ours, _theirs = _parse_both(body)
    assert {k: ours.data.getlist(k) for k in ours.data} == {"a": ["1"]}
    (_name, filename, content_type, content) = _library_parts(body, BOUNDARY)[1]
    uploaded = ours.files["evidence"]
    assert (uploaded.content_type, uploaded.read()) == (content_type, content) == ("application/pdf", PDF)
    assert uploaded.name == DjangoMultiPartParser.sanitize_file_name(None, filename)
