"""REST API v1 under /api/v1/, described by /api/v1/openapi.json."""

from django.http import HttpRequest
from ninja import NinjaAPI

from lectio.api import errors
from lectio.api.auth import AUTH
from lectio.api.workflow import router as workflow_router

api = NinjaAPI(
    title="Lectio API",
    version="1",
    description=(
        "Lectio's REST API. Authenticate with an API key "
        "(`Authorization: apikey KEY`, scopes AREA:read / AREA:write) or a browser "
        "session (writes need the CSRF token)."
    ),
    auth=AUTH,
    urls_namespace="api-v1",
    docs_url="/docs",
)
errors.install(api)
api.add_router("/", workflow_router)


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
