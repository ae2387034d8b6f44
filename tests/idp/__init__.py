"""Real identity providers for the eID tests: an OpenID Connect OP (pyop) and a SAML 2.0 IdP
(pysaml2), each served over HTTP from a thread on 127.0.0.1 with a random port."""

from .keys import generate_rsa_key_pair
from .oidc import TestOpenIDProvider
from .saml import TestSAMLIdentityProvider
from .server import ThreadedWSGIServer

__all__ = ["TestOpenIDProvider", "TestSAMLIdentityProvider", "ThreadedWSGIServer", "generate_rsa_key_pair"]
