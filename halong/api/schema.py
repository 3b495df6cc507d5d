"""OpenAPI details: the token scheme, bilingual enum labels, common error answers."""

from __future__ import annotations

from django.utils.module_loading import import_string
from django.utils.translation import override
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.settings import spectacular_settings

#: Answers any operation may give: documented once, added to every operation.
COMMON_ERRORS = {
    "401": "No token, or the token is invalid, expired or revoked.",
    "429": "Rate limit reached (see docs/api.md); retry after `Retry-After` seconds.",
}


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "halong.api.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "hl_<prefix>_<secret>",
            "description": (
                "A personal API token, created on the page *API tokens* or with "
                "`manage.py create_api_token`. Send `Authorization: Token <token>` "
                "(or `Bearer <token>`)."
            ),
        }


def _choice_lines(choices_class) -> str:
    with override("en"):
        english = {value: str(label) for value, label in choices_class.choices}
    with override("vi"):
        vietnamese = {value: str(label) for value, label in choices_class.choices}
    return "\n".join(f"* `{value}` – {english[value]} · *{vietnamese[value]}*" for value in english)


def bilingual_enum_descriptions(result, generator, request, public):
    """Each named enum lists its codes with the English and the Vietnamese label;
    every operation documents the common error answers."""
    schemas = result.get("components", {}).get("schemas", {})
    for name, path in spectacular_settings.ENUM_NAME_OVERRIDES.items():
        if name in schemas:
            schemas[name]["description"] = _choice_lines(import_string(path))
    if "Error" in schemas:
        for methods in result.get("paths", {}).values():
            for operation in methods.values():
                responses = operation.setdefault("responses", {})
                for code, text in COMMON_ERRORS.items():
                    responses.setdefault(
                        code,
                        {
                            "description": text,
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Error"}
                                }
                            },
                        },
                    )
    return result


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = "halong.api.authentication.SessionAuthentication"
    name = "session"

    def get_security_definition(self, auto_schema):
        from django.conf import settings

        return {
            "type": "apiKey",
            "in": "cookie",
            "name": settings.SESSION_COOKIE_NAME,
            "description": "The app's own login session (browser); writes need the CSRF token.",
        }
