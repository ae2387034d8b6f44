"""Status reports (Statusberichte) to the council committee: kept, comparable."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class StatusReport(models.Model):
    title = models.CharField(_("title"), max_length=200)
    as_of = models.DateField(_("as of"))
    strategy_version = models.PositiveIntegerField(_("strategy version"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # every figure the report shows, so that two reports can be compared without recomputing
    data = models.JSONField(default=dict)
    html = models.TextField()
    pdf = models.FileField(upload_to="strategy/reports/", blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("status report")
        verbose_name_plural = _("status reports")

    def __str__(self) -> str:
        return self.title
