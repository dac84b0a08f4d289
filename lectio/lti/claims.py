"""LTI 1.3 claim names and the mapping of LTI roles to Lectio's. Pure: no ORM."""

from __future__ import annotations

from typing import Any

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/"

VERSION = LTI + "version"
MESSAGE_TYPE = LTI + "message_type"
DEPLOYMENT_ID = LTI + "deployment_id"
TARGET_LINK_URI = LTI + "target_link_uri"
RESOURCE_LINK = LTI + "resource_link"
ROLES = LTI + "roles"
CONTEXT = LTI + "context"
CUSTOM = LTI + "custom"
LIS = LTI + "lis"
DEEP_LINKING_SETTINGS = DL + "deep_linking_settings"
CONTENT_ITEMS = DL + "content_items"
DL_DATA = DL + "data"
NAMES_ROLES = NRPS + "namesroleservice"

RESOURCE_LINK_REQUEST = "LtiResourceLinkRequest"
DEEP_LINKING_REQUEST = "LtiDeepLinkingRequest"
DEEP_LINKING_RESPONSE = "LtiDeepLinkingResponse"
MESSAGE_TYPES = (RESOURCE_LINK_REQUEST, DEEP_LINKING_REQUEST)

# The claims Lectio asks platforms to send (shown on the configuration page).
WANTED = ("sub", "given_name", "family_name", "name", "email", LIS, CONTEXT, CUSTOM)

TEACHING = {"Instructor", "TeachingAssistant", "ContentDeveloper", "Mentor"}
LEARNING = {"Learner", "Student"}
ADMINISTRATOR = {"Administrator", "SysAdmin"}

MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership"


def role_names(roles: list[Any]) -> tuple[set[str], set[str]]:
    """(context role names, institution and system role names) of an LTI roles
    claim. A context role is a membership URI or a short name ("Instructor"); a
    sub-role (membership/Instructor#TeachingAssistant) gives its own name."""
    context: set[str] = set()
    other: set[str] = set()
    for role in roles:
        if not isinstance(role, str) or not role.strip():
            continue
        role = role.strip()
        if "#" in role:
            base, _sep, name = role.rpartition("#")
            (context if base.startswith(MEMBERSHIP) else other).add(name)
        elif "/" not in role and ":" not in role:
            context.add(role)
        else:
            other.add(role.rsplit("/", 1)[-1])
    return context, other


def lectio_role(roles: list[Any], *, administrator_role: str) -> tuple[str, bool]:
    """("instructor" or "student", is a teaching assistant) for an LTI roles claim.
    Context roles decide; institution roles count only when there are none. An
    administrator is what the institution chose; unknown or no role is a student."""
    context, other = role_names(roles)
    for names in (context, other):
        if names & TEACHING:
            return "instructor", "TeachingAssistant" in names
        if names & LEARNING:
            return "student", False
        if names & ADMINISTRATOR:
            return administrator_role, False
    return "student", False
