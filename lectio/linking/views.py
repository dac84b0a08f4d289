"""The resolver at /openurl (the Find it page) and the administrators' settings."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from lectio.core import usage
from lectio.core.concurrency import StaleVersion
from lectio.core.requests import AuthedHttpRequest
from lectio.linking import openurl
from lectio.linking import services as linking_services
from lectio.linking.forms import BrokenLinkForm, LinkingSettingsForm
from lectio.linking.links import citation_from_data, direct_links
from lectio.linking.models import (
    BrokenLinkReport,
    CheckedLink,
    LinkingSettings,
    LinkStatus,
)
from lectio.linking.resolver import proxied_url, resolve
from lectio.linking.services import SettingsError, linking_settings_update
from lectio.lists import selectors as lists_selectors
from lectio.lists.access import citation_for_reader_or_login
from lectio.lists.models import Citation, ReadingList
from lectio.lists.permissions import may_open_material


def _read_request(request: HttpRequest) -> openurl.OpenURL:
    if request.method == "GET":
        return openurl.parse_query(request.META.get("QUERY_STRING", ""))
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > openurl.MAX_INPUT:
        return openurl.refused("too_large")
    content_type = (request.content_type or "").lower()
    body = request.body[: openurl.MAX_INPUT + 1]
    if content_type in ("text/xml", "application/xml"):
        return openurl.parse_xml(body)
    if content_type == "multipart/form-data":
        return openurl.parse_pairs(
            [(k, v) for k, values in request.POST.lists() for v in values]
        )
    return openurl.parse_query(body)


def not_understood(request: HttpRequest, query: openurl.OpenURL) -> HttpResponse:
    return render(
        request,
        "linking/not_understood.html",
        {"problems": [p.message for p in query.problems]},
        status=400,
    )


def _with_query(base: str, query: str) -> str:
    joiner = "&" if "?" in base else "?"
    return base + joiner + query


# Read-only: outside databases POST long OpenURLs without a CSRF token, and the
# resolver changes nothing.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def openurl_view(request: HttpRequest) -> HttpResponse:
    query = _read_request(request)
    if not query.understood:
        return not_understood(request, query)
    rebuilt = openurl.encode_pairs(openurl.to_pairs(query))
    own = query.referrer == openurl.REFERRER
    if not request.user.is_authenticated:
        # A POSTed OpenURL comes back as the GET one Lectio rebuilt from it (with
        # the citation of Lectio's own links, to be counted after signing in).
        again = rebuilt
        if own and query.referrer_data:
            again += "&" + openurl.encode_pairs([("rfr_dat", query.referrer_data)])
        return redirect_to_login(_with_query(reverse("linking:openurl"), again))
    if own and query.referrer_data:
        _count_open(request, citation_from_data(query.referrer_data), "find_it")
    settings_row = LinkingSettings.cached()
    if settings_row.external_resolver_url and query.referrer == openurl.REFERRER:
        # Lectio's own Find it links go to the institution's resolver when it keeps
        # one; the OpenURL sent is rebuilt, never the incoming string.
        return HttpResponseRedirect(
            _with_query(settings_row.external_resolver_url, rebuilt)
        )
    resolution = resolve(query, settings_row=settings_row)
    target = resolution.one_click_target
    if settings_row.one_click and target:
        return HttpResponseRedirect(target)
    tolerated = [p.message for p in query.problems]
    return render(
        request,
        "linking/find_it.html",
        {
            "q": query,
            "resolution": resolution,
            "online": [o for o in resolution.options if o.online],
            "print": [o for o in resolution.options if not o.online],
            "problems": tolerated,
            "search_text": query.main_title,
            "nav": "catalog",
        },
    )


def _count_open(request: HttpRequest, citation_id: int | None, detail: str) -> None:
    """A usage event for a followed link of a citation that still exists."""
    if citation_id is None:
        return
    row = (
        Citation.objects.filter(pk=citation_id)
        .values_list("reading_list_id", "section_id")
        .first()
    )
    if row is not None:
        usage.record(
            request,
            "citation_open",
            list_id=row[0],
            section_id=row[1],
            citation_id=citation_id,
            detail=detail,
        )


@require_safe
def full_text(request: HttpRequest, citation_id: int) -> HttpResponse:
    """A citation's direct full-text link: the one online portfolio of its catalog
    record, through the proxy when licensed, for people who may open the list's
    material; counted as an open."""
    citation, right = citation_for_reader_or_login(request, citation_id=citation_id)
    found = (
        direct_links({citation.catalog_record_id}).get(citation.catalog_record_id)
        if citation.catalog_record_id
        else None
    )
    if found is None:
        raise Http404("No full text for this citation")
    url, open_access = found
    if not open_access and not may_open_material(
        request.user, citation.reading_list, right
    ):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise PermissionDenied(
            _("The full text of this list's readings is for the course's students.")
        )
    usage.record(
        request,
        "citation_open",
        list_id=citation.reading_list_id,
        section_id=citation.section_id,
        citation_id=citation.pk,
        detail="full_text",
    )
    target = proxied_url(
        url, licensed=not open_access, settings_row=LinkingSettings.cached()
    )
    return HttpResponseRedirect(target)


@login_required
@require_http_methods(["GET", "POST"])
def linking_settings(request: AuthedHttpRequest) -> HttpResponse:
    if not request.user.is_institution_admin:
        raise PermissionDenied
    row = LinkingSettings.current()
    order = row.preference_order
    form = LinkingSettingsForm(
        request.POST or None,
        initial={
            "version": row.version,
            "proxy_prefix": row.proxy_prefix,
            "proxy_scope": row.proxy_scope,
            "proxy_skip_hosts": row.proxy_skip_hosts,
            "one_click": row.one_click,
            "external_resolver_url": row.external_resolver_url,
            "first_choice": order[0],
            "second_choice": order[1],
            "third_choice": order[2],
        },
    )
    context = {
        "form": form,
        "nav": "settings",
        "proxy_fields": [
            form[n] for n in ("proxy_prefix", "proxy_scope", "proxy_skip_hosts")
        ],
        "resolver_fields": [form[n] for n in ("one_click", "external_resolver_url")],
        "order_fields": [form[n] for n in LinkingSettingsForm.CHOICES],
    }
    if request.method == "POST" and form.is_valid():
        try:
            linking_settings_update(
                actor=request.user,
                settings_row=row,
                expected_version=form.cleaned_data["version"],
                values=form.values(),
            )
        except StaleVersion as error:
            context["conflict"] = str(error)
            response = render(request, "linking/settings.html", context, status=409)
            response["X-Current-Version"] = str(error.current_version)
            return response
        except SettingsError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Link resolver settings saved."))
            return redirect("linking:settings")
    return render(request, "linking/settings.html", context)


# --- broken links ----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def broken_link_report(request: AuthedHttpRequest, citation_id: int) -> HttpResponse:
    """Anyone who may read a citation reports that its link does not work."""
    citation, _right = lists_selectors.citation_get_for_reader(
        user=request.user, citation_id=citation_id
    )
    form = BrokenLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        linking_services.broken_link_report(
            actor=request.user, citation=citation, note=form.cleaned_data["note"]
        )
        messages.success(request, _("Thank you. The library will look at this link."))
        return redirect("lists:citation_detail", citation_id=citation.pk)
    return render(
        request,
        "linking/report.html",
        {"citation": citation, "form": form, "nav": "courses"},
    )


@login_required
@require_http_methods(["GET"])
def broken_links(request: AuthedHttpRequest) -> HttpResponse:
    """The library's view of broken links: readers' open reports and the links the
    checker found broken, with the citations and lists that use them."""
    if not request.user.is_library_staff:
        raise PermissionDenied
    reports = list(
        BrokenLinkReport.objects.filter(resolved_at__isnull=True)
        .select_related("citation", "citation__reading_list", "reported_by")
        .order_by("-created_at", "id")[:200]
    )
    broken = list(
        CheckedLink.objects.filter(status=LinkStatus.BROKEN).order_by(
            "-broken_since", "url"
        )[:200]
    )
    citing = linking_services.links_to_check() if broken else {}
    list_names = dict(
        ReadingList.objects.filter(
            pk__in={lid for link in broken for _c, lid in citing.get(link.url, [])}
        ).values_list("pk", "name")
    )
    rows = [
        (
            link,
            [
                (citation_id, list_id, list_names.get(list_id, ""))
                for citation_id, list_id in citing.get(link.url, [])
            ],
        )
        for link in broken
    ]
    return render(
        request,
        "linking/broken_links.html",
        {"reports": reports, "broken": rows, "nav": "library"},
    )


@login_required
@require_http_methods(["POST"])
def broken_link_resolve(request: AuthedHttpRequest, report_id: int) -> HttpResponse:
    if not request.user.is_library_staff:
        raise PermissionDenied
    report = BrokenLinkReport.objects.filter(pk=report_id).first()
    if report is None:
        raise Http404
    linking_services.broken_link_resolve(actor=request.user, report=report)
    messages.success(request, _("Marked as dealt with."))
    return redirect("linking:broken_links")
