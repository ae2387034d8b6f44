"""A real OpenID Connect provider (pyop) behind a tiny WSGI app, for the eID login tests.

It serves discovery, authorization (the person is "logged in" as ``user_id`` without a form),
token, userinfo and JWKS. Knobs let a test make it misbehave like a broken or hostile provider.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from urllib.parse import parse_qs, urlencode

from Cryptodome.PublicKey import RSA
from jwkest.jwk import RSAKey
from pyop.authz_state import AuthorizationState
from pyop.provider import Provider
from pyop.subject_identifier import HashBasedSubjectIdentifierFactory
from pyop.userinfo import Userinfo

from .keys import generate_rsa_key_pair
from .server import ThreadedWSGIServer

CLIENT_ID = "rathaus-test"
CLIENT_SECRET = "test-secret-0123456789"


def _rsa_jwk(kid: str) -> RSAKey:
    key_pem, _cert = generate_rsa_key_pair(kid)
    return RSAKey(key=RSA.import_key(key_pem), alg="RS256", kid=kid, use="sig")


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class TestOpenIDProvider:
    """Start with ``start()``, configure a client's redirect URI, then run logins against it."""

    __test__ = False  # not a pytest test class

    def __init__(self, redirect_uris: list[str], directory: Path):
        # OpenID Connect wants an https issuer: the provider serves TLS with its own certificate,
        # which the relying party trusts through OIDC_VERIFY_SSL (a CA bundle path).
        key_pem, cert_pem = generate_rsa_key_pair("127.0.0.1", ip_address="127.0.0.1")
        self.tls_key_file, self.ca_file = (
            str(Path(directory) / "op-tls.key"),
            str(Path(directory) / "op-tls.crt"),
        )
        Path(self.tls_key_file).write_bytes(key_pem)
        Path(self.ca_file).write_bytes(cert_pem)
        self.server = ThreadedWSGIServer(
            self.wsgi_app, tls_key_file=self.tls_key_file, tls_cert_file=self.ca_file
        )
        self.issuer = self.server.base_url
        self.signing_key = _rsa_jwk("op-key-1")
        self.foreign_key = _rsa_jwk("op-key-1")  # same kid, different key: a forged signature
        self.users: dict[str, dict] = {}
        self.userinfo = Userinfo(self.users)
        self.clients = {
            CLIENT_ID: {
                "client_secret": CLIENT_SECRET,
                "redirect_uris": list(redirect_uris),
                "response_types": ["code"],
                "token_endpoint_auth_method": "client_secret_post",
            }
        }
        configuration = {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorization",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "scopes_supported": ["openid", "email", "profile", "address"],
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_post"],
            "claims_parameter_supported": True,
        }
        self.provider = Provider(
            self.signing_key,
            configuration,
            AuthorizationState(HashBasedSubjectIdentifierFactory("test-salt")),
            self.clients,
            self.userinfo,
        )
        self.reset()

    # --- test controls ---------------------------------------------------------------------

    def reset(self) -> None:
        self.login_as: str | None = None
        self.acr: str | None = "urn:rathaus:trust:high"
        self.sign_with_foreign_key = False
        self.tamper_id_token = False
        self.token_requests = 0
        self._acr_by_code: dict[str, dict] = {}

    def add_user(self, user_id: str, **claims) -> None:
        self.users[user_id] = claims

    def start(self) -> TestOpenIDProvider:
        self.server.start()
        return self

    def stop(self) -> None:
        self.server.stop()

    def rp_settings(self) -> dict:
        """The Django settings that point the relying party at this provider."""
        return {
            "OIDC_ENABLED": True,
            "OIDC_RP_CLIENT_ID": CLIENT_ID,
            "OIDC_RP_CLIENT_SECRET": CLIENT_SECRET,
            "OIDC_RP_SIGN_ALGO": "RS256",
            "OIDC_OP_ISSUER": self.issuer,
            "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{self.issuer}/authorization",
            "OIDC_OP_TOKEN_ENDPOINT": f"{self.issuer}/token",
            "OIDC_OP_USER_ENDPOINT": f"{self.issuer}/userinfo",
            "OIDC_OP_JWKS_ENDPOINT": f"{self.issuer}/jwks",
            "OIDC_VERIFY_SSL": self.ca_file,
        }

    # --- HTTP ------------------------------------------------------------------------------

    def wsgi_app(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        query = environ.get("QUERY_STRING", "")
        headers = {"Authorization": environ.get("HTTP_AUTHORIZATION", "")}
        body = ""
        if environ.get("REQUEST_METHOD") == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(length).decode("utf-8")
        try:
            if path == "/.well-known/openid-configuration":
                return self._json(start_response, self.provider.provider_configuration.to_dict())
            if path == "/jwks":
                return self._json(start_response, self.provider.jwks)
            if path == "/authorization":
                return self._authorization(start_response, query)
            if path == "/token":
                return self._token(start_response, body, headers)
            if path == "/userinfo":
                response = self.provider.handle_userinfo_request(body or query, headers)
                return self._json(start_response, response.to_dict())
        except Exception as exc:
            return self._json(
                start_response, {"error": "invalid_request", "detail": str(exc)}, "400 Bad Request"
            )
        return self._json(start_response, {"error": "not_found"}, "404 Not Found")

    def _authorization(self, start_response, query):
        request = self.provider.parse_authentication_request(query)
        if self.login_as is None:
            query = urlencode({"error": "access_denied", "state": request["state"]})
            location = f"{request['redirect_uri']}?{query}"
        else:
            extra = {"acr": self.acr} if self.acr else {}
            response = self.provider.authorize(request, self.login_as, extra_id_token_claims=extra)
            self._acr_by_code[response["code"]] = extra
            location = response.request(request["redirect_uri"], False)
        start_response("302 Found", [("Location", location)])
        return [b""]

    def _token(self, start_response, body, headers):
        self.token_requests += 1
        original = self.provider.signing_key
        if self.sign_with_foreign_key:
            self.provider.signing_key = self.foreign_key
        try:
            code = parse_qs(body).get("code", [""])[0]
            extra = dict(self._acr_by_code.get(code, {}))
            response = self.provider.handle_token_request(
                body, headers, extra_id_token_claims=extra
            ).to_dict()
        finally:
            self.provider.signing_key = original
        if self.tamper_id_token and "id_token" in response:
            header, payload, signature = response["id_token"].split(".")
            claims = json.loads(_b64url_decode(payload))
            claims["sub"] = "someone-else"
            response["id_token"] = ".".join([header, _b64url(json.dumps(claims).encode()), signature])
        return self._json(start_response, response)

    @staticmethod
    def _json(start_response, data, status="200 OK"):
        payload = json.dumps(data).encode("utf-8")
        start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))])
        return [payload]


def query_params(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(url.split("?", 1)[1]).items()}
