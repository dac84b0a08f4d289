"""The library discussion of a list, between its instructors and the library."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from lectio.core.requests import AuthedHttpRequest
from lectio.lists import selectors as list_selectors
from lectio.lists.models import Citation
from lectio.lists.services import ServiceError
from lectio.workflow import services
from lectio.workflow.forms import MessageForm
from lectio.workflow.models import Message, NotificationPreference, Thread


@login_required
@require_http_methods(["GET", "POST"])
def discussion(request: AuthedHttpRequest, list_id: int) -> HttpResponse:
    reading_list, _right = list_selectors.reading_list_get_for_editor(
        user=request.user, list_id=list_id
    )
    citation = None
    citation_id = request.GET.get("citation") or request.POST.get("citation") or ""
    if citation_id.isdigit():
        citation = Citation.objects.filter(
            pk=int(citation_id), reading_list=reading_list
        ).first()
    form = MessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.message_post(
                actor=request.user,
                reading_list=reading_list,
                citation=citation,
                body=form.cleaned_data["body"],
            )
        except ServiceError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Message sent."))
            back = request.POST.get("next", "")
            if back.startswith("/") and not back.startswith("//"):
                return redirect(back)
            url = reverse("workflow:discussion", args=[list_id])
            return redirect(f"{url}?citation={citation.pk}" if citation else url)
    thread = Message.objects.filter(reading_list=reading_list, thread=Thread.LIBRARY)
    if citation is not None:
        thread = thread.filter(citation=citation)
    return render(
        request,
        "workflow/discussion.html",
        {
            "list": reading_list,
            "citation": citation,
            "form": form,
            "thread": thread.select_related("author", "citation").order_by(
                "created_at"
            ),
            "nav": "library" if request.user.is_library_staff else "mine",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def notification_settings(request: AuthedHttpRequest) -> HttpResponse:
    pref = NotificationPreference.objects.filter(user=request.user).first()
    if request.method == "POST":
        services.notification_preference_set(
            user=request.user,
            daily_digest=request.POST.get("daily_digest") == "on",
        )
        messages.success(request, _("Notification settings saved."))
        return redirect("workflow:notifications")
    return render(request, "workflow/notifications.html", {"pref": pref, "nav": ""})
