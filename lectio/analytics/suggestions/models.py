"""Suggestions of related material, precomputed by `lectio suggestions-refresh`
(and the background job that follows list changes): the works lists cite, which
works other lists cite together, and which catalog records are alike.

Only citations that readers of published lists can see are counted, so nothing
here says anything about a draft list, a hidden section or an item still with the
library."""

from __future__ import annotations

from django.db import models

from lectio.catalog.models import Record
from lectio.lists.models import ReadingList


class Work(models.Model):
    """A title as lists cite it: citations of the same catalog record, else the same
    ISBN or DOI, else the same normalised title and first author (works.py)."""

    key = models.CharField(max_length=300, unique=True)
    title = models.CharField(max_length=1000)
    author = models.CharField(max_length=500, blank=True)
    year = models.CharField(max_length=20, blank=True)
    material_type = models.CharField(max_length=32)
    record = models.ForeignKey(
        Record, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # One citation's CSL-JSON, to add the work to a list when it has no record.
    metadata = models.JSONField(default=dict, blank=True)
    # Published lists citing it.
    list_count = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return self.title


class WorkAlias(models.Model):
    """Every key a citation of the work may have (r:RECORD, i:ISBN, d:DOI,
    t:TITLE|AUTHOR): a citation finds its work through any of them."""

    alias = models.CharField(max_length=300, unique=True)
    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="aliases")


class ListWork(models.Model):
    """A published list citing a work (as its readers see it).

    When the list is deleted its rows stay, with no list, in the same transaction
    however the list goes: they tell the next refresh of pending lists which works'
    co-citations to count again, and it removes them."""

    reading_list = models.ForeignKey(
        ReadingList, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["reading_list", "work"], name="suggest_listwork_unique"
            )
        ]
        indexes = [models.Index(fields=["work"], name="suggest_listwork_work")]


class CoCitation(models.Model):
    """`other` is on `lists` other published lists (of `courses` courses) that also
    cite `work`; the best few per work, by rank."""

    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="+")
    other = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="+")
    lists = models.PositiveIntegerField()
    courses = models.PositiveIntegerField()
    rank = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["work", "other"], name="suggest_cocitation_unique"
            )
        ]
        indexes = [
            models.Index(fields=["work", "rank"], name="suggest_cocitation_rank")
        ]


class SimilarRecord(models.Model):
    """`other` is like `record` in subject and title words (cosine of TF-IDF
    vectors), with the subject headings they share; the best few per record."""

    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="+")
    other = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    shared = models.JSONField(default=list, blank=True)
    rank = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["record", "other"], name="suggest_similar_unique"
            )
        ]
        indexes = [models.Index(fields=["record", "rank"], name="suggest_similar_rank")]


class ListState(models.Model):
    """What the suggestions last counted of a list: a list whose content version or
    publication status differs, or that is marked pending, is counted again by the
    next refresh of pending lists."""

    reading_list = models.OneToOneField(
        ReadingList, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    content_version = models.PositiveIntegerField(default=0)
    publication_status = models.CharField(max_length=16, blank=True)
    pending = models.BooleanField(default=True)
    refreshed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["pending"], name="suggest_state_pending")]
