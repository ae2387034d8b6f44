"""Electronic identity: login through a city's eID broker or BundID over OIDC or SAML 2.0.

Both protocols end in ``complete_eid_login``, which maps the asserted identity attributes and
trust level onto an account. The provider specifics stay in ``oidc.py`` and ``saml.py``.
"""
