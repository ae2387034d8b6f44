"""Helpers of the form tests: sample files, publishing a definition, clients with a trust level."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from conftest import login
from rathaus.forms import services

PDF_BYTES = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)
EXE_BYTES = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"\x00" * 48
    + b"PE\x00\x00"
    + b"\x00" * 200
)
HTML_BYTES = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"


def pdf_file(name="nachweis.pdf", content=PDF_BYTES, content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def publish(service, schema, acting_user=None):
    definition = services.form_definition_ensure(acting_user=acting_user, service=service)
    version = services.form_version_save(acting_user=acting_user, definition=definition, schema=schema)
    return services.form_version_publish(acting_user=acting_user, version=version)


def client_with_trust(user, level: str) -> Client:
    client = login(Client(), user)
    session = client.session
    session["trust_level"] = level
    session.save()
    return client
