"""How drf-spectacular documents our authentication classes (loaded by ``AccountsConfig.ready``)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension


class JWTScheme(SimpleJWTScheme):
    """Our JWT authentication is simplejwt's with a cheaper user lookup: documented as simplejwt's."""

    target_class = "prepdeck.accounts.authentication.JWTAuthentication"


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "prepdeck.accounts.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "A personal API token: `Authorization: Token pd_...` (create one at /api/v1/me/tokens/).",
        }
