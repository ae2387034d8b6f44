"""The pysaml2 service-provider configuration, built from plain settings values.

This module imports nothing from Django's app registry, so ``settings.py`` can use it.
"""

from __future__ import annotations

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.saml import NAMEID_FORMAT_PERSISTENT, NAMEID_FORMAT_TRANSIENT

__all__ = ["build_saml_config"]


def build_saml_config(
    *,
    idp_metadata: str,
    sp_entity_id: str,
    sp_key_file: str,
    sp_cert_file: str,
    xmlsec_binary: str,
    public_url: str,
) -> dict:
    """The SAML_CONFIG dict of djangosaml2 for one IdP (the city's eID broker or BundID).

    ``idp_metadata`` is a local file path or an http(s) URL. Assertions and responses must be
    signed; unsolicited responses are refused, so every response answers a request of this session.
    """
    base = public_url.rstrip("/")
    if idp_metadata.startswith(("https://", "http://")):
        metadata = {"remote": [{"url": idp_metadata}]}
    else:
        metadata = {"local": [idp_metadata]}
    config = {
        "entityid": sp_entity_id or f"{base}/saml2/metadata/",
        "xmlsec_binary": xmlsec_binary,
        "allow_unknown_attributes": True,
        "service": {
            "sp": {
                "name": "Rathaus",
                "name_id_format": [NAMEID_FORMAT_PERSISTENT, NAMEID_FORMAT_TRANSIENT],
                "endpoints": {
                    "assertion_consumer_service": [(f"{base}/saml2/acs/", BINDING_HTTP_POST)],
                    "single_logout_service": [
                        (f"{base}/saml2/ls/", BINDING_HTTP_REDIRECT),
                        (f"{base}/saml2/ls/post/", BINDING_HTTP_POST),
                    ],
                },
                "allow_unsolicited": False,
                "authn_requests_signed": bool(sp_key_file),
                "logout_requests_signed": bool(sp_key_file),
                "want_assertions_signed": True,
                "want_response_signed": True,
                "only_use_keys_in_metadata": True,
            }
        },
        "metadata": metadata,
        "debug": False,
    }
    if sp_key_file and sp_cert_file:
        config["key_file"] = sp_key_file
        config["cert_file"] = sp_cert_file
        config["encryption_keypairs"] = [{"key_file": sp_key_file, "cert_file": sp_cert_file}]
    return config
