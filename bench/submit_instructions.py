"""Instructions per API submission and per floor request, counted by callgrind (issue 3).

On a shared machine the wall and CPU times of two runs of the same code differ by a quarter or
more; callgrind counts instructions, which repeat to within a percent for the same code and
data whatever else the machine does. This is the Django process only (the request path in
Python and C, with Django's test client in front, no sockets and no concurrency); PostgreSQL
runs in its own process and is not counted.

Run by ``bench/submit_instructions.sh``: this script warms up (5 submissions), then waits for
``FLAG/ready.go`` while the driver switches callgrind's instrumentation on; it submits N times,
touches ``FLAG/mid`` and waits for ``FLAG/mid.go`` (the driver dumps the counts), then answers
5·N floor requests and touches ``FLAG/done``.

    python bench/submit_instructions.py N FLAG_DIR
"""

from __future__ import annotations

import os
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rathaus.settings")

import django

django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.client import BOUNDARY, encode_multipart  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402
from submit_api_load import SUBMIT_PATH, multipart_answers  # noqa: E402
from submit_load import SERVICE_SLUG, make_pdf  # noqa: E402

from rathaus.accounts.models import User  # noqa: E402

WARM_UP = 5


def main() -> None:
    count, flags = int(sys.argv[1]), Path(sys.argv[2])
    user = User.objects.get(email="bench.api00@example.org")
    token, _created = Token.objects.get_or_create(user=user)
    client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Token {token.key}")
    pdf = make_pdf()
    # Bodies encoded before counting: the client's work is not the server's.
    bodies = [
        encode_multipart(
            BOUNDARY,
            {
                "service": SERVICE_SLUG,
                **multipart_answers(index),
                "evidence": SimpleUploadedFile("nachweis.pdf", pdf, "application/pdf"),
            },
        )
        for index in range(WARM_UP + count)
    ]

    def submit(index: int) -> None:
        response = client.post(
            SUBMIT_PATH,
            data=bodies[index],
            content_type=f"multipart/form-data; boundary={BOUNDARY}",
            HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex,
        )
        assert response.status_code == 201, response.content[:300]

    def floor() -> None:
        assert client.get("/bench/floor").status_code == 200

    def step(name: str) -> None:
        (flags / name).touch()
        while not (flags / f"{name}.go").exists():
            time.sleep(0.05)

    for index in range(WARM_UP):
        submit(index)
        floor()
    step("ready")
    for index in range(WARM_UP, WARM_UP + count):
        submit(index)
    step("mid")
    for _ in range(5 * count):
        floor()
    (flags / "done").touch()


if __name__ == "__main__":
    main()
