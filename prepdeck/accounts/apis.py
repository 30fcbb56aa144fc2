"""Account API (``/api/v1/auth/`` and ``/api/v1/me/``): registration, JWT, profile and preferences,
personal API tokens. Views are thin over ``accounts.services``."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.models import update_last_login
from django.http import HttpRequest
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, generics, permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt import views as jwt_views
from rest_framework_simplejwt.serializers import TokenObtainPairSerializer

from prepdeck.accounts import roles, selectors, services, validators
from prepdeck.accounts.models import ApiToken, User
from prepdeck.core.api import signed_in_user
from prepdeck.core.api.schema import errors


def _django_request(request: Any) -> HttpRequest:
    """The ``HttpRequest`` under a DRF ``Request``: django-axes marks that one, as the web doors do."""
    return request._request if hasattr(request, "_request") else request


class SignInLockedError(exceptions.Throttled):
    """``SignInLocked`` as DRF's 429: the error handler adds ``Retry-After`` (the time actually remaining)."""

    def __init__(self, error: services.SignInLocked) -> None:
        super().__init__(wait=error.retry_after, code=error.code)
        self.detail = exceptions.ErrorDetail(error.message, code=error.code)


def _api_error(error: services.SignInLocked | services.SignInFailed) -> exceptions.APIException:
    if isinstance(error, services.SignInLocked):
        return SignInLockedError(error)
    return exceptions.AuthenticationFailed(error.message, code="no_active_account")


class TokenObtainSerializer(TokenObtainPairSerializer):
    """simplejwt's pair serializer, with the password checked by our sign-in flow (lockout included)."""

    access = serializers.CharField(read_only=True)
    refresh = serializers.CharField(read_only=True)

    @classmethod
    def get_token(cls, user: Any) -> Any:
        """simplejwt's refresh token with the claims clients display: ``name`` (the public name, never the
        email) and ``roles``. A refreshed access token carries the claims of its sign-in."""
        token = super().get_token(user)
        token["name"] = user.public_name
        token["roles"] = roles.roles_of(user)
        return token

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        try:
            self.user = services.sign_in(
                request=_django_request(self.context["request"]),
                email=attrs[self.username_field],
                password=attrs["password"],
            )
        except (services.SignInLocked, services.SignInFailed) as error:
            raise _api_error(error) from None
        if not self.user.is_active:
            raise _api_error(services.SignInFailed())
        refresh = self.get_token(self.user)
        update_last_login(User, self.user)  # SIMPLE_JWT["UPDATE_LAST_LOGIN"], as simplejwt's serializer does
        return {"refresh": str(refresh), "access": str(refresh.access_token)}


class RegisterSerializer(serializers.Serializer[Any]):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(
        min_length=10, max_length=128, write_only=True, style={"input_type": "password"}
    )
    display_name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")


class ProfileSerializer(serializers.ModelSerializer[User]):
    is_editor = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = (
            "id",
            "email",
            "display_name",
            "time_zone",
            "day_start_hour",
            "desired_retention",
            "daily_new_limit",
            "study_reminder_enabled",
            "study_reminder_hour",
            "weekly_digest_enabled",
            "is_editor",
            "is_staff",
            "date_joined",
        )
        read_only_fields = ("id", "email", "is_editor", "is_staff", "date_joined")

    def get_is_editor(self, user: User) -> bool:
        return roles.is_editor(user)


class PreferencesSerializer(serializers.Serializer[Any]):
    display_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    time_zone = serializers.CharField(max_length=64, required=False)
    # The limits are the validators' (the model, its constraints and the web form use the same ones).
    day_start_hour = serializers.IntegerField(
        min_value=0, max_value=validators.MAX_DAY_START_HOUR, required=False
    )
    desired_retention = serializers.FloatField(
        min_value=validators.MIN_DESIRED_RETENTION, max_value=validators.MAX_DESIRED_RETENTION, required=False
    )
    daily_new_limit = serializers.IntegerField(
        min_value=0, max_value=validators.MAX_DAILY_NEW_LIMIT, required=False
    )
    study_reminder_enabled = serializers.BooleanField(
        required=False, help_text="Email a study reminder on days with cards due."
    )
    study_reminder_hour = serializers.IntegerField(
        min_value=0, max_value=23, required=False, help_text="Local hour from which reminders and digests go."
    )
    weekly_digest_enabled = serializers.BooleanField(
        required=False, help_text="Email a weekly progress digest."
    )


class ApiTokenSerializer(serializers.ModelSerializer[ApiToken]):
    class Meta:
        model = ApiToken
        fields = ("id", "name", "prefix", "created_at", "last_used_at")


class ApiTokenCreateSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=100)


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    token = serializers.CharField(read_only=True, help_text="Shown this once; store it now.")

    class Meta(ApiTokenSerializer.Meta):
        fields = (*ApiTokenSerializer.Meta.fields, "token")  # type: ignore[assignment]


class RegisterApi(APIView):
    permission_classes = (permissions.AllowAny,)
    authentication_classes = ()
    throttle_scope = "registration"

    @extend_schema(
        tags=["account"],
        summary="Create a learner account",
        request=RegisterSerializer,
        responses={201: ProfileSerializer, **errors(400)},
    )
    def post(self, request: Request) -> Response:
        payload = RegisterSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        user = services.user_create(**payload.validated_data)
        return Response(ProfileSerializer(user).data, status=status.HTTP_201_CREATED)


@extend_schema(
    tags=["account"],
    summary="Obtain a JWT pair (access and refresh) with email and password",
    description=(
        "The password is checked by the same sign-in flow as the web page: a wrong email or password is "
        "`401 no_active_account`; too many failures for the account (or the client address) is "
        "`429 sign_in_locked` with `Retry-After`, even with the right password."
    ),
    responses={200: TokenObtainSerializer, **errors(400, 401, 429)},
)
class TokenObtainApi(jwt_views.TokenObtainPairView):
    serializer_class = TokenObtainSerializer
    throttle_scope = "login"


@extend_schema(
    tags=["account"],
    summary="Exchange a refresh token for a new pair (the old refresh token is blacklisted)",
    responses={200: jwt_views.TokenRefreshView.serializer_class, **errors(400)},
)
class TokenRefreshApi(jwt_views.TokenRefreshView):
    throttle_scope = "login"


@extend_schema(
    tags=["account"], summary="Log out: blacklist a refresh token", responses={200: None, **errors(400)}
)
class TokenBlacklistApi(jwt_views.TokenBlacklistView):
    pass


class MeApi(APIView):
    @extend_schema(
        tags=["account"],
        summary="Your profile and practice preferences",
        responses={200: ProfileSerializer, **errors()},
    )
    def get(self, request: Request) -> Response:
        return Response(ProfileSerializer(signed_in_user(request)).data)

    @extend_schema(
        tags=["account"],
        summary="Change your display name and practice preferences",
        request=PreferencesSerializer,
        responses={200: ProfileSerializer, **errors(400)},
    )
    def patch(self, request: Request) -> Response:
        # partial: a field left out is unchanged (a form-encoded body would otherwise read a missing
        # boolean as an unticked checkbox, i.e. False)
        payload = PreferencesSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        user = services.user_preferences_update(user=signed_in_user(request), **payload.validated_data)
        return Response(ProfileSerializer(user).data)


class ApiTokenListApi(generics.ListAPIView[ApiToken]):
    serializer_class = ApiTokenSerializer
    filter_backends = ()

    def get_queryset(self) -> Any:
        return ApiToken.objects.filter(user=signed_in_user(self.request))

    @extend_schema(
        tags=["account"],
        summary="Your personal API tokens (never the tokens themselves)",
        responses={200: ApiTokenSerializer(many=True), **errors(404)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=["account"],
        summary="Create a personal API token; the response is the only time it is shown",
        request=ApiTokenCreateSerializer,
        responses={201: ApiTokenCreatedSerializer, **errors(400)},
    )
    def post(self, request: Request) -> Response:
        payload = ApiTokenCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        token, raw = services.api_token_create(
            user=signed_in_user(request), name=payload.validated_data["name"]
        )
        return Response({**ApiTokenSerializer(token).data, "token": raw}, status=status.HTTP_201_CREATED)


class ApiTokenDetailApi(APIView):
    @extend_schema(
        tags=["account"], summary="Revoke one of your API tokens", responses={204: None, **errors(404)}
    )
    def delete(self, request: Request, token_id: int) -> Response:
        services.api_token_revoke(user=signed_in_user(request), token_id=token_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordChangeSerializer(serializers.Serializer[Any]):
    old_password = serializers.CharField(max_length=128, write_only=True)
    new_password = serializers.CharField(min_length=10, max_length=128, write_only=True)


class PasswordResetSerializer(serializers.Serializer[Any]):
    email = serializers.EmailField(max_length=254)


class PasswordResetConfirmSerializer(serializers.Serializer[Any]):
    uid = serializers.CharField(max_length=64)
    token = serializers.CharField(max_length=128)
    new_password = serializers.CharField(min_length=10, max_length=128, write_only=True)


class TokenSerializer(serializers.Serializer[Any]):
    token = serializers.CharField(max_length=500)


class PasswordSerializer(serializers.Serializer[Any]):
    password = serializers.CharField(max_length=128, write_only=True)


class PasswordChangeApi(APIView):
    @extend_schema(
        tags=["account"],
        summary="Change your password (ends your other sessions, JWTs and personal API tokens)",
        request=PasswordChangeSerializer,
        responses={204: None, **errors(400, 429)},
    )
    def post(self, request: Request) -> Response:
        payload = PasswordChangeSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        user = signed_in_user(request)
        try:
            services.password_change(request=_django_request(request), user=user, **payload.validated_data)
        except services.SignInLocked as error:
            raise _api_error(error) from None
        if request.auth is None:  # a browser session: keep it, every other session and token ends
            update_session_auth_hash(_django_request(request), user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordResetApi(APIView):
    permission_classes = (permissions.AllowAny,)
    authentication_classes = ()
    throttle_scope = "password_reset"

    @extend_schema(
        tags=["account"],
        summary="Mail a password-reset link (answers 202 whether or not the address has an account)",
        request=PasswordResetSerializer,
        responses={202: None, **errors(400)},
    )
    def post(self, request: Request) -> Response:
        payload = PasswordResetSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.password_reset_request(
            email=payload.validated_data["email"], domain=request.get_host(), use_https=request.is_secure()
        )
        return Response(status=status.HTTP_202_ACCEPTED)


class PasswordResetConfirmApi(APIView):
    permission_classes = (permissions.AllowAny,)
    authentication_classes = ()
    throttle_scope = "password_reset"

    @extend_schema(
        tags=["account"],
        summary="Set a new password with the uid and token of a reset email (ends every session, JWT and "
        "personal API token)",
        request=PasswordResetConfirmSerializer,
        responses={204: None, **errors(400)},
    )
    def post(self, request: Request) -> Response:
        payload = PasswordResetConfirmSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.password_reset_confirm(**payload.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)


class EmailVerificationApi(APIView):
    throttle_scope = "password_reset"

    @extend_schema(
        tags=["account"],
        summary="Mail yourself a link that verifies your address",
        request=None,
        responses={202: None, **errors()},
    )
    def post(self, request: Request) -> Response:
        services.email_verification_send(
            user=signed_in_user(request), domain=request.get_host(), use_https=request.is_secure()
        )
        return Response(status=status.HTTP_202_ACCEPTED)


class EmailVerificationConfirmApi(APIView):
    permission_classes = (permissions.AllowAny,)

    @extend_schema(
        tags=["account"],
        summary="Verify an address with the token from the email",
        request=TokenSerializer,
        responses={200: ProfileSerializer, **errors(400)},
    )
    def post(self, request: Request) -> Response:
        payload = TokenSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return Response(
            ProfileSerializer(services.email_verification_confirm(token=payload.validated_data["token"])).data
        )


class AccountExportApi(APIView):
    @extend_schema(
        tags=["account"],
        summary="Everything PrepDeck keeps about you, as one JSON document",
        responses={200: OpenApiTypes.OBJECT, **errors()},
    )
    def get(self, request: Request) -> Response:
        data = selectors.user_data_export(user=signed_in_user(request))
        response = Response(data)
        response["Content-Disposition"] = 'attachment; filename="prepdeck-my-data.json"'
        return response


class AccountDeleteApi(APIView):
    @extend_schema(
        tags=["account"],
        summary="Delete your account and your practice data (send your password)",
        request=PasswordSerializer,
        responses={204: None, **errors(400, 429)},
    )
    def post(self, request: Request) -> Response:
        payload = PasswordSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            services.user_delete(
                request=_django_request(request),
                user=signed_in_user(request),
                password=payload.validated_data["password"],
            )
        except services.SignInLocked as error:
            raise _api_error(error) from None
        return Response(status=status.HTTP_204_NO_CONTENT)
