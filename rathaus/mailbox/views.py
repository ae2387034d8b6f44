"""Postfach pages: conversations by case, messages with documents, replies (htmx)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rathaus.core.forms import link_errors
from rathaus.core.permissions import access_object, login_required_for

from . import selectors, services
from .forms import ReplyForm
from .models import Thread

VIEW = "mailbox.view_thread"


def _thread(request, pk: int) -> Thread:
    return access_object(request, Thread.objects.select_related("case__service"), perm=VIEW, pk=pk)


def _receipts_deliver(request) -> None:
    """The person's receipts the task worker has not delivered yet arrive before they look."""
    services.receipts_deliver(person=request.user)


@login_required_for(VIEW)
def index(request):
    _receipts_deliver(request)
    return render(
        request, "mailbox/index.html", {"threads": selectors.threads_of(request.user), "title": _("Mailbox")}
    )


@login_required_for(VIEW)
def unread(request):
    _receipts_deliver(request)
    return render(request, "mailbox/partials/unread.html", {"unread": selectors.unread_count(request.user)})


def _thread_context(thread: Thread, form=None, *, sent: bool = False) -> dict:
    """``sent``: a reply was just stored, the page moves the focus to it (``rathaus.js``)."""
    return {
        "thread": thread,
        "thread_messages": thread.messages.select_related("author").prefetch_related("documents__case"),
        "form": form or ReplyForm(),
        "title": thread.display_subject,
        "sent": sent,
    }


@login_required_for(VIEW)
def thread_detail(request, pk: int):
    thread = _thread(request, pk)
    _receipts_deliver(request)
    services.thread_mark_read(thread=thread, acting_user=request.user)
    return render(request, "mailbox/thread.html", _thread_context(thread))


@require_POST
@login_required_for(VIEW)
def reply(request, pk: int):
    thread = _thread(request, pk)
    form = ReplyForm(request.POST)
    sent = False
    if form.is_valid():
        try:
            services.message_reply(
                thread=thread, acting_user=request.user, body=form.cleaned_data["body"], request=request
            )
            form, sent = ReplyForm(), True
        except ValidationError as exc:
            form.add_error("body", exc)
            link_errors(form)
    if request.htmx:
        # 200 also with errors: htmx swaps only successful responses.
        return render(request, "mailbox/partials/conversation.html", _thread_context(thread, form, sent=sent))
    if not sent:
        # Without JavaScript: the page again with the text typed and the error at its field.
        return render(request, "mailbox/thread.html", _thread_context(thread, form), status=422)
    messages.success(request, _("Your message has been sent."))
    return redirect("mailbox:thread", pk=thread.pk)
