"""My collection: the page, saving to it from a list's citation or a catalog record,
folders, and copying saved items onto a list."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from lectio.catalog.models import Record
from lectio.collection import services
from lectio.collection.models import Folder, Item, Tag
from lectio.collection.services import CollectionError, parse_tags
from lectio.core.requests import AuthedHttpRequest, next_path
from lectio.lists import selectors
from lectio.lists.views.common import REFUSALS, list_url

PAGE_SIZE = 50


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _folder(request: AuthedHttpRequest, value: str | None) -> Folder | None:
    folder_id = _int(value)
    if folder_id is None:
        return None
    return get_object_or_404(Folder, pk=folder_id, owner=request.user)


@login_required
@require_http_methods(["GET"])
def collection(request: AuthedHttpRequest) -> HttpResponse:
    user = request.user
    items = Item.objects.filter(owner=user).select_related("folder")
    folder_id = _int(request.GET.get("folder"))
    unfiled = request.GET.get("folder") == "none"
    tag_id = _int(request.GET.get("tag"))
    text = request.GET.get("q", "").strip()[:200]
    if folder_id is not None:
        items = items.filter(folder_id=folder_id)
    elif unfiled:
        items = items.filter(folder__isnull=True)
    if tag_id is not None:
        items = items.filter(tags__pk=tag_id)
    if text:
        items = items.filter(Q(title__icontains=text) | Q(note__icontains=text))
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    page_items = list(page.object_list)
    tags_by_item: dict[int, list[Tag]] = {}
    for link in Item.tags.through.objects.filter(
        item_id__in=[i.pk for i in page_items]
    ).select_related("tag"):
        tags_by_item.setdefault(link.item_id, []).append(link.tag)
    for item in page_items:
        item.tag_list = tags_by_item.get(item.pk, [])  # type: ignore[attr-defined]
    folders = list(
        Folder.objects.filter(owner=user)
        .annotate(count=Count("items"))
        .order_by("name")
    )
    return render(
        request,
        "collection/collection.html",
        {
            "page": page,
            "items": page_items,
            "folders": folders,
            "tags": list(Tag.objects.filter(owner=user).order_by("name")),
            "folder_id": folder_id,
            "unfiled": unfiled,
            "tag_id": tag_id,
            "q": text,
            "total": Item.objects.filter(owner=user).count(),
            "targets": selectors.lists_to_add_to(user=user)
            if user.can_author_lists
            else [],
            "nav": "collection",
        },
    )


@login_required
@require_POST
def items_action(request: AuthedHttpRequest) -> HttpResponse:
    """The selected items: copied to a list section, moved to a folder, or deleted."""
    user = request.user
    ids = [int(v) for v in request.POST.getlist("item") if v.isdigit()]
    back = next_path(request, reverse("collection:home"))
    action = request.POST.get("action", "")
    if not ids:
        messages.error(request, _("Choose the items first."))
        return redirect(back)
    try:
        if action == "copy":
            section_id = _int(request.POST.get("section"))
            section = next(
                (
                    s
                    for _rl, sections in selectors.lists_to_add_to(user=user)
                    for s in sections
                    if s.pk == section_id
                ),
                None,
            )
            if section is None:
                raise CollectionError(_("Choose the list and section to copy to."))
            added = services.items_copy_to_section(
                owner=user, item_ids=ids, section=section
            )
            messages.success(
                request,
                ngettext(
                    "Copied %(n)d item to %(section)s on %(list)s.",
                    "Copied %(n)d items to %(section)s on %(list)s.",
                    len(added),
                )
                % {
                    "n": len(added),
                    "section": section.name,
                    "list": section.reading_list.name,
                },
            )
            return redirect(list_url(section.reading_list_id, f"c{added[0].pk}"))
        if action == "move":
            folder = _folder(request, request.POST.get("folder"))
            moved = services.items_move(owner=user, item_ids=ids, folder=folder)
            messages.success(
                request,
                ngettext("Moved %(n)d item.", "Moved %(n)d items.", moved)
                % {"n": moved},
            )
        elif action == "delete":
            deleted = services.items_delete(owner=user, item_ids=ids)
            messages.success(
                request,
                ngettext("Removed %(n)d item.", "Removed %(n)d items.", deleted)
                % {"n": deleted},
            )
        else:
            raise CollectionError(_("Choose what to do with them."))
    except (CollectionError, *REFUSALS) as error:
        messages.error(request, str(error))
    return redirect(back)


@login_required
@require_POST
def folder_create(request: AuthedHttpRequest) -> HttpResponse:
    try:
        folder = services.folder_create(
            owner=request.user, name=request.POST.get("name", "")
        )
    except CollectionError as error:
        messages.error(request, str(error))
        return redirect("collection:home")
    messages.success(request, _("Folder “%(name)s” made.") % {"name": folder.name})
    return redirect(f"{reverse('collection:home')}?folder={folder.pk}")


@login_required
@require_POST
def folder_edit(request: AuthedHttpRequest, folder_id: int) -> HttpResponse:
    folder = get_object_or_404(Folder, pk=folder_id, owner=request.user)
    try:
        if "delete" in request.POST:
            services.folder_delete(owner=request.user, folder=folder)
            messages.success(request, _("Folder removed; its items are kept."))
            return redirect("collection:home")
        services.folder_rename(
            owner=request.user, folder=folder, name=request.POST.get("name", "")
        )
        messages.success(request, _("Folder renamed."))
    except CollectionError as error:
        messages.error(request, str(error))
    return redirect(f"{reverse('collection:home')}?folder={folder.pk}")


@login_required
@require_http_methods(["GET", "POST"])
def item_edit(request: AuthedHttpRequest, item_id: int) -> HttpResponse:
    item = get_object_or_404(Item, pk=item_id, owner=request.user)
    if request.method == "POST":
        try:
            services.item_update(
                owner=request.user,
                item=item,
                folder=_folder(request, request.POST.get("folder")),
                note=request.POST.get("note", ""),
                tags=parse_tags(request.POST.get("tags", "")),
            )
        except CollectionError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Saved."))
            return redirect("collection:home")
    return render(
        request,
        "collection/item.html",
        {
            "item": item,
            "folders": Folder.objects.filter(owner=request.user),
            "tag_text": ", ".join(t.name for t in item.tags.all()),
            "nav": "collection",
        },
    )


def _save_page(
    request: AuthedHttpRequest, *, title: str, save: Any, back: str
) -> HttpResponse:
    """The small page between "Save to my collection" and saved: which folder."""
    if request.method == "POST":
        try:
            item = save(folder=_folder(request, request.POST.get("folder")))
        except CollectionError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("Saved “%(title)s” to your collection.")
                % {"title": item.title[:120]},
            )
        return redirect(next_path(request, back))
    return render(
        request,
        "collection/save.html",
        {
            "title": title,
            "folders": Folder.objects.filter(owner=request.user),
            "next": next_path(request, back),
            "nav": "collection",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def save_citation(request: AuthedHttpRequest, citation_id: int) -> HttpResponse:
    citation, _right = selectors.citation_get_for_reader(
        user=request.user, citation_id=citation_id
    )
    return _save_page(
        request,
        title=str(citation.metadata.get("title") or ""),
        save=lambda folder: services.item_save_from_citation(
            owner=request.user, citation=citation, folder=folder
        ),
        back=reverse("lists:citation_detail", args=[citation.pk]),
    )


@login_required
@require_http_methods(["GET", "POST"])
def save_record(request: AuthedHttpRequest, record_id: int) -> HttpResponse:
    record = Record.objects.filter(pk=record_id).first()
    if record is None:
        raise Http404("No such record")
    return _save_page(
        request,
        title=record.title,
        save=lambda folder: services.item_save_from_record(
            owner=request.user, record=record, folder=folder
        ),
        back=reverse("catalog:record", args=[record.pk]),
    )
