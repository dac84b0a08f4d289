"""A person's own collection ("My collection"): citations saved from lists, the
catalog, Cite It! or imports, in folders, with tags of their own, to copy onto a
list later. Nobody else sees it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from lectio.lists.models import MaterialType


class Folder(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField(_("name"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "name"], name="collection_folder_owner_name_uniq"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "name"], name="collection_tag_owner_name_uniq"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Item(models.Model):
    """A saved citation: its own copy of the metadata (the list it came from may
    change or go), and where it came from."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    folder = models.ForeignKey(
        Folder, on_delete=models.SET_NULL, null=True, blank=True, related_name="items"
    )
    material_type = models.CharField(max_length=32, choices=MaterialType.choices)
    metadata = models.JSONField(default=dict)
    title = models.CharField(max_length=1000)  # for sorting and searching
    catalog_record = models.ForeignKey(
        "catalog.Record",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    source_citation = models.ForeignKey(
        "lists.Citation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="items")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["owner", "-created_at"], name="collection_item_recent")
        ]

    def __str__(self) -> str:
        return self.title
