"""A real SAML 2.0 identity provider (pysaml2's Server) behind a tiny WSGI app, for the eID tests.

The service provider's metadata is handed in at construction; the IdP's own metadata is written to
a file the service provider reads (SAML_IDP_METADATA). A second key pair, unknown to the service
provider, lets a test send assertions signed by an impostor.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from urllib.parse import parse_qs

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.config import IdPConfig
from saml2.metadata import entity_descriptor
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_PERSISTENT, NameID
from saml2.server import Server

from .keys import generate_rsa_key_pair
from .server import ThreadedWSGIServer

XMLSEC_BINARY = "/usr/bin/xmlsec1"


def _write_key_pair(directory: Path, name: str) -> tuple[str, str]:
    key_pem, cert_pem = generate_rsa_key_pair(name)
    key_file, cert_file = directory / f"{name}.key", directory / f"{name}.crt"
    key_file.write_bytes(key_pem)
    cert_file.write_bytes(cert_pem)
    return str(key_file), str(cert_file)


def sp_metadata(sp_config) -> str:
    """The metadata XML of a service provider, from its pysaml2 SPConfig."""
    return str(entity_descriptor(sp_config))


class TestSAMLIdentityProvider:
    """Start with ``start(sp_metadata_xml)``; ``metadata_file`` is what the SP must trust."""

    __test__ = False  # not a pytest test class

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self.server = ThreadedWSGIServer(self.wsgi_app)
        self.base_url = self.server.base_url
        self.entity_id = f"{self.base_url}/metadata"
        self.key_file, self.cert_file = _write_key_pair(self.directory, "idp")
        self.rogue_key_file, self.rogue_cert_file = _write_key_pair(self.directory, "impostor")
        self.metadata_file = str(self.directory / "idp-metadata.xml")
        self.idp: Server | None = None
        self.rogue_idp: Server | None = None
        self.reset()

    def reset(self) -> None:
        self.subject = "erika-0001"
        self.authn_context = "http://eidas.europa.eu/LoA/high"
        self.attributes = {
            "givenName": ["Erika"],
            "sn": ["Mustermann"],
            "dateOfBirth": ["1964-08-12"],
            "street": ["Heidestraße 17"],
            "postalCode": ["51147"],
            "l": ["Köln"],
        }
        self.sign_with_impostor_key = False

    def _config(self, sp_metadata_xml: str, key_file: str, cert_file: str) -> IdPConfig:
        conf = IdPConfig()
        conf.load(
            {
                "entityid": self.entity_id,
                "xmlsec_binary": XMLSEC_BINARY,
                "service": {
                    "idp": {
                        "name": "Test eID broker",
                        "endpoints": {
                            "single_sign_on_service": [
                                (f"{self.base_url}/sso/redirect", BINDING_HTTP_REDIRECT),
                                (f"{self.base_url}/sso/post", BINDING_HTTP_POST),
                            ],
                        },
                        "policy": {"default": {"lifetime": {"minutes": 5}, "name_form": NAME_FORMAT_URI}},
                        "name_id_format": [NAMEID_FORMAT_PERSISTENT],
                        "sign_response": True,
                        "sign_assertion": True,
                    }
                },
                "key_file": key_file,
                "cert_file": cert_file,
                "metadata": {"inline": [sp_metadata_xml]},
            }
        )
        return conf

    def start(self, sp_metadata_xml: str) -> TestSAMLIdentityProvider:
        conf = self._config(sp_metadata_xml, self.key_file, self.cert_file)
        Path(self.metadata_file).write_text(str(entity_descriptor(conf)), encoding="utf-8")
        self.idp = Server(config=conf)
        self.rogue_idp = Server(
            config=self._config(sp_metadata_xml, self.rogue_key_file, self.rogue_cert_file)
        )
        self.server.start()
        return self

    def stop(self) -> None:
        self.server.stop()

    # --- HTTP ------------------------------------------------------------------------------

    def wsgi_app(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path == "/metadata":
            body = Path(self.metadata_file).read_bytes()
            start_response("200 OK", [("Content-Type", "application/samlmetadata+xml")])
            return [body]
        if path == "/sso/redirect":
            params = {key: values[0] for key, values in parse_qs(environ.get("QUERY_STRING", "")).items()}
            try:
                body = self._single_sign_on(params)
            except Exception as exc:
                start_response("400 Bad Request", [("Content-Type", "text/plain")])
                return [str(exc).encode()]
            start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
            return [body.encode("utf-8")]
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]

    def _single_sign_on(self, params: dict) -> str:
        request = self.idp.parse_authn_request(params["SAMLRequest"], BINDING_HTTP_REDIRECT)
        response_args = self.idp.response_args(request.message, [BINDING_HTTP_POST])
        response_args.pop("binding", None)
        signer = self.rogue_idp if self.sign_with_impostor_key else self.idp
        response = signer.create_authn_response(
            identity=self.attributes,
            userid=self.subject,
            name_id=NameID(format=NAMEID_FORMAT_PERSISTENT, text=self.subject),
            authn={"class_ref": self.authn_context, "authn_auth": self.entity_id},
            sign_response=True,
            sign_assertion=True,
            **response_args,
        )
        http = signer.apply_binding(
            BINDING_HTTP_POST,
            str(response),
            response_args["destination"],
            params.get("RelayState", ""),
            response=True,
        )
        return http["data"]


def parse_post_form(page: str) -> tuple[str, dict[str, str]]:
    """The action and hidden fields of the IdP's auto-submitting POST form."""
    action = html.unescape(re.search(r'<form[^>]*action="([^"]+)"', page).group(1))
    fields = {
        html.unescape(name): html.unescape(value)
        for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page)
    }
    return action, fields
