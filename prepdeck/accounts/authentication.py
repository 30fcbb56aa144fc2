"""API authentication: JWTs (``Authorization: Bearer <access>``) and personal API tokens (``Authorization:
Token <token>``, stored hashed)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions
from rest_framework.request import Request
from rest_framework_simplejwt import authentication as jwt_authentication
from rest_framework_simplejwt import exceptions as jwt_exceptions
from rest_framework_simplejwt.exceptions import InvalidToken
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.tokens import Token
from rest_framework_simplejwt.utils import get_md5_hash_password

from prepdeck.accounts import selectors, services
from prepdeck.accounts.models import User


class JWTAuthentication(jwt_authentication.JWTAuthentication):
    """simplejwt's authentication, with the token's user loaded by ``selectors.user_for_request``: one
    statement compiled once per process that also answers whether the user is an editor (simplejwt's own
    ``get_user`` compiles a ``get()`` on every request, and asking for the role cost a second query). The
    checks, their exceptions and their messages are simplejwt's ``get_user``'s; the user id claim names the
    primary key (``SIMPLE_JWT["USER_ID_FIELD"] = "id"``)."""

    def get_user(self, validated_token: Token) -> User:  # type: ignore[override]
        if jwt_settings.USER_ID_FIELD not in ("id", "pk"):
            raise ImproperlyConfigured(
                "JWTAuthentication looks users up by primary key: USER_ID_FIELD = 'id'."
            )
        try:
            user_id = validated_token[jwt_settings.USER_ID_CLAIM]
        except KeyError as missing:
            raise InvalidToken(_("Token contained no recognizable user identification")) from missing
        user = selectors.user_for_request(user_id=user_id)
        if user is None:
            raise jwt_exceptions.AuthenticationFailed(_("User not found"), code="user_not_found")
        if jwt_settings.CHECK_USER_IS_ACTIVE and not user.is_active:
            raise jwt_exceptions.AuthenticationFailed(_("User is inactive"), code="user_inactive")
        if jwt_settings.CHECK_REVOKE_TOKEN and validated_token.get(
            jwt_settings.REVOKE_TOKEN_CLAIM
        ) != get_md5_hash_password(user.password):
            raise jwt_exceptions.AuthenticationFailed(
                _("The user's password has been changed."), code="password_changed"
            )
        return user


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Send the header as 'Authorization: Token <token>'.")
        try:
            raw = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed("The token is not valid.") from None
        token = services.api_token_authenticate(raw=raw)
        if token is None:
            raise exceptions.AuthenticationFailed("The token is not valid or was revoked.")
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return self.keyword
