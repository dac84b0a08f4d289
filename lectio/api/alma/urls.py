"""The Alma-compatible API under /almaws/v1/ (courses, reading lists, citations,
owners). docs/alma-api.md describes it."""

from django.http import HttpRequest, HttpResponse
from django.urls import path, re_path
from django.views.decorators.csrf import csrf_exempt

from lectio.api.alma.endpoint import alma_view, refuse
from lectio.api.alma.errors import AlmaError
from lectio.api.alma.views import courses as c
from lectio.api.alma.views import lists as rl

app_name = "almaws"

COURSES = "courses"
LISTS = "lists"
LIST = "courses/<str:course_id>/reading-lists/<str:list_id>"
CITATION = f"{LIST}/citations/<str:citation_id>"


@csrf_exempt
def not_found(request: HttpRequest) -> HttpResponse:
    return refuse(request, AlmaError(404, f"No such resource: {request.path}"))


urlpatterns = [
    path(
        "courses",
        alma_view(COURSES, GET=c.course_list, POST=c.course_create),
        name="courses",
    ),
    path(
        "courses/<str:course_id>",
        alma_view(COURSES, GET=c.course_get, PUT=c.course_put, DELETE=c.course_delete),
        name="course",
    ),
    path(
        "courses/<str:course_id>/reading-lists",
        alma_view(LISTS, GET=rl.lists_get, POST=rl.list_post),
        name="reading_lists",
    ),
    path(
        LIST,
        alma_view(LISTS, GET=rl.list_get, PUT=rl.list_put, DELETE=rl.list_delete),
        name="reading_list",
    ),
    path(
        f"{LIST}/citations",
        alma_view(LISTS, GET=rl.citations_get, POST=rl.citation_post),
        name="citations",
    ),
    path(
        CITATION,
        alma_view(
            LISTS, GET=rl.citation_get, PUT=rl.citation_put, DELETE=rl.citation_delete
        ),
        name="citation",
    ),
    path(
        f"{CITATION}/tags",
        alma_view(LISTS, GET=rl.tags_get, PUT=rl.tags_put),
        name="citation_tags",
    ),
    path(
        f"{LIST}/owners",
        alma_view(LISTS, GET=rl.owners_get, POST=rl.owner_post),
        name="owners",
    ),
    path(
        f"{LIST}/owners/<str:primary_id>",
        alma_view(LISTS, GET=rl.owner_get, PUT=rl.owner_put, DELETE=rl.owner_delete),
        name="owner",
    ),
    re_path(r"^.*$", not_found),
]
