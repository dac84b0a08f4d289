"""REST API v1 under /api/v1/, described by /api/v1/openapi.json."""

from django.http import HttpRequest
from ninja import NinjaAPI

from lectio.api import errors
from lectio.api.analytics import router as analytics_router
from lectio.api.auth import AUTH, THROTTLE
from lectio.api.catalog import router as catalog_router
from lectio.api.courses import router as courses_router
from lectio.api.files import router as files_router
from lectio.api.jobs import router as jobs_router
from lectio.api.lists import router as lists_router
from lectio.api.people import router as people_router
from lectio.api.suggestions import router as suggestions_router
from lectio.api.workflow import router as workflow_router

api = NinjaAPI(
    title="Lectio API",
    version="1",
    description=(
        "Lectio's REST API. Authenticate with an API key "
        "(`Authorization: apikey KEY`, scopes AREA:read / AREA:write) or a browser "
        "session (writes need the CSRF token). Keys act as the user they belong to: "
        "the scope opens an area, the user's role decides what they may do in it.\n\n"
        "Lists of things are paged: `limit` (1-100, default 20) and `offset`; every "
        "page says `total` and links the `next` and `previous` pages. Bad input is a "
        "400 whose `errors` name each field; a change based on a stale `version` is "
        "a 409 and changes nothing. Each caller may make `LECTIO_API_RATE` requests "
        "a second (bursts up to `LECTIO_API_BURST`); beyond that the answer is 429 "
        "with `Retry-After` in seconds."
    ),
    auth=AUTH,
    throttle=THROTTLE,
    urls_namespace="api-v1",
    docs_url="/docs",
)
errors.install(api)
api.add_router("/", courses_router)
api.add_router("/", people_router)
api.add_router("/", lists_router)
api.add_router("/", files_router)
api.add_router("/", jobs_router)
api.add_router("/", workflow_router)
api.add_router("/", catalog_router)
api.add_router("/", analytics_router)
api.add_router("/", suggestions_router)


@api.get("/me", summary="Who the API sees", tags=["meta"])
def me(request: HttpRequest) -> dict:
    from lectio.accounts.models import ApiKey

    auth = request.auth  # type: ignore[attr-defined]
    if isinstance(auth, ApiKey):
        return {
            "user": auth.user.username,
            "role": auth.user.role,
            "scopes": auth.scopes,
        }
    return {"user": auth.username, "role": auth.role, "scopes": ["session"]}
