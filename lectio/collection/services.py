"""Writes to a person's collection. Every function takes the owner; an item, folder
or tag of someone else is never found (the selectors filter by owner)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from lectio.accounts.models import User
from lectio.catalog.models import Record
from lectio.collection.models import Folder, Item, Tag
from lectio.core.events import event_record
from lectio.lists import services as lists_services
from lectio.lists.models import Citation, MaterialType, Section

MAX_FOLDERS = 200
MAX_ITEMS = 10_000


class CollectionError(Exception):
    """A change refused, with a message for the person."""


def _title(metadata: dict[str, Any]) -> str:
    return str(metadata.get("title") or "").strip()[:1000]


def _tags(owner: User, names: Iterable[str]) -> list[Tag]:
    wanted: list[str] = []
    for name in names:
        name = " ".join(str(name).split())[:100]
        if name and name.lower() not in (w.lower() for w in wanted):
            wanted.append(name)
    have = {t.name.lower(): t for t in Tag.objects.filter(owner=owner)}
    tags = []
    for name in wanted:
        tag = have.get(name.lower())
        if tag is None:
            tag, _created = Tag.objects.get_or_create(owner=owner, name=name)
        tags.append(tag)
    return tags


def parse_tags(text: str) -> list[str]:
    """Tags typed into one box, separated by commas."""
    return [t.strip() for t in text.split(",") if t.strip()]


def _folder_of(owner: User, folder: Folder | None) -> Folder | None:
    if folder is not None and folder.owner_id != owner.pk:
        raise CollectionError(_("That folder is not yours."))
    return folder


@transaction.atomic
def item_save(
    *,
    owner: User,
    material_type: str,
    metadata: dict[str, Any],
    folder: Folder | None = None,
    note: str = "",
    tags: Iterable[str] = (),
    catalog_record: Record | None = None,
    source_citation: Citation | None = None,
) -> Item:
    """Saves a citation to the owner's collection. The same list citation or
    catalog record twice is refused, so a double click saves one."""
    if material_type not in MaterialType.values:
        raise CollectionError(_("Unknown material type."))
    title = _title(metadata)
    if not title:
        raise CollectionError(_("A citation needs a title."))
    folder = _folder_of(owner, folder)
    mine = Item.objects.select_for_update().filter(owner=owner)
    if mine.count() >= MAX_ITEMS:
        raise CollectionError(_("Your collection is full."))
    if (
        source_citation is not None
        and mine.filter(source_citation=source_citation).exists()
    ):
        raise CollectionError(
            _("“%(title)s” is in your collection already.") % {"title": title[:120]}
        )
    if (
        catalog_record is not None
        and source_citation is None
        and mine.filter(catalog_record=catalog_record).exists()
    ):
        raise CollectionError(
            _("“%(title)s” is in your collection already.") % {"title": title[:120]}
        )
    item = Item.objects.create(
        owner=owner,
        folder=folder,
        material_type=material_type,
        metadata=metadata,
        title=title,
        catalog_record=catalog_record,
        source_citation=source_citation,
        note=note.strip()[:5000],
    )
    item.tags.set(_tags(owner, tags))
    return item


def item_save_from_citation(
    *, owner: User, citation: Citation, folder: Folder | None = None
) -> Item:
    """Saves a list's citation the owner may read (the caller checked, with the
    lists app's reader selector)."""
    return item_save(
        owner=owner,
        material_type=citation.material_type,
        metadata=dict(citation.metadata),
        folder=folder,
        catalog_record=citation.catalog_record,
        source_citation=citation,
    )


def item_save_from_record(
    *, owner: User, record: Record, folder: Folder | None = None
) -> Item:
    from lectio.lists.from_catalog import csl_from_record, material_type_for

    return item_save(
        owner=owner,
        material_type=material_type_for(record),
        metadata=csl_from_record(record),
        folder=folder,
        catalog_record=record,
    )


@transaction.atomic
def item_update(
    *, owner: User, item: Item, folder: Folder | None, note: str, tags: Iterable[str]
) -> Item:
    if item.owner_id != owner.pk:
        raise CollectionError(_("That item is not yours."))
    item.folder = _folder_of(owner, folder)
    item.note = note.strip()[:5000]
    item.save(update_fields=["folder", "note", "updated_at"])
    item.tags.set(_tags(owner, tags))
    return item


@transaction.atomic
def items_move(*, owner: User, item_ids: Iterable[int], folder: Folder | None) -> int:
    folder = _folder_of(owner, folder)
    return Item.objects.filter(owner=owner, pk__in=list(item_ids)).update(folder=folder)


@transaction.atomic
def items_delete(*, owner: User, item_ids: Iterable[int]) -> int:
    _total, by_model = Item.objects.filter(owner=owner, pk__in=list(item_ids)).delete()
    return by_model.get("collection.Item", 0)


@transaction.atomic
def folder_create(*, owner: User, name: str) -> Folder:
    name = " ".join(name.split())[:200]
    if not name:
        raise CollectionError(_("A folder needs a name."))
    if Folder.objects.filter(owner=owner).count() >= MAX_FOLDERS:
        raise CollectionError(_("You have as many folders as Lectio keeps."))
    try:
        with transaction.atomic():
            return Folder.objects.create(owner=owner, name=name)
    except IntegrityError:
        raise CollectionError(
            _("You have a folder called “%(name)s” already.") % {"name": name}
        ) from None


@transaction.atomic
def folder_rename(*, owner: User, folder: Folder, name: str) -> Folder:
    if folder.owner_id != owner.pk:
        raise CollectionError(_("That folder is not yours."))
    name = " ".join(name.split())[:200]
    if not name:
        raise CollectionError(_("A folder needs a name."))
    if Folder.objects.filter(owner=owner, name=name).exclude(pk=folder.pk).exists():
        raise CollectionError(
            _("You have a folder called “%(name)s” already.") % {"name": name}
        )
    folder.name = name
    folder.save(update_fields=["name"])
    return folder


@transaction.atomic
def folder_delete(*, owner: User, folder: Folder) -> None:
    """Deletes the folder; its items stay, in no folder."""
    if folder.owner_id != owner.pk:
        raise CollectionError(_("That folder is not yours."))
    folder.delete()


@transaction.atomic
def items_copy_to_section(
    *, owner: User, item_ids: Iterable[int], section: Section
) -> list[Citation]:
    """Adds the owner's chosen items to `section`, in the order they were saved,
    all or none. The caller checked the owner may edit the section's list."""
    items = list(
        Item.objects.filter(owner=owner, pk__in=list(item_ids))
        .select_related("catalog_record")
        .order_by("created_at", "pk")
    )
    if not items:
        raise CollectionError(_("Choose the items to copy."))
    added = [
        lists_services.citation_add(
            actor=owner,
            reading_list=section.reading_list,
            section=section,
            material_type=item.material_type,
            metadata=dict(item.metadata),
            catalog_record=item.catalog_record,
        )
        for item in items
    ]
    event_record(
        actor=owner,
        verb="collection.copy",
        target_type="list",
        target_id=section.reading_list_id,
        list_id=section.reading_list_id,
        summary=_("Copied %(n)d items from a collection to %(section)s")
        % {"n": len(added), "section": section.name},
        params={"section": section.pk, "count": len(added)},
    )
    return added
