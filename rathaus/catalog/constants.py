from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    """How an application reaches the city (Kanal)."""

    ONLINE = "online", _("Online")
    COUNTER = "counter", _("At the counter")
    POST = "post", _("By post")
    PHONE = "phone", _("By phone")


class OzgMaturity(models.IntegerChoices):
    """OZG maturity level of a service, derived from what Rathaus actually offers for it."""

    OFFLINE = 0, _("0 – offline")
    INFORMATION = 1, _("1 – information online")
    FORM_ASSISTANT = 2, _("2 – form assistant, submission not online")
    ONLINE = 3, _("3 – fully online: application, evidence, login and notice")
    ONCE_ONLY = 4, _("4 – once only: evidence the state holds is taken over")


class FeeKind(models.TextChoices):
    NONE = "none", _("free of charge")
    FIXED = "fixed", _("fixed fee")
    RULE = "rule", _("computed from the answers")
