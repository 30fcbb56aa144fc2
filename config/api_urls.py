"""``/api/v1/``: every endpoint of the public API, version 1 (see docs/api.md for the changelog)."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from prepdeck.accounts import apis as accounts
from prepdeck.catalog import apis as catalog

app_name = "api"

# The bank's viewsets, with path converters as the other routes: /questions/ with its detail, soft delete
# and workflow actions (question-list, question-detail, question-deleted-list, question-undelete,
# question-submit, ...) and /imports/ (import-list, import-detail).
router = SimpleRouter(use_regex_path=False)
router.register("questions", catalog.QuestionViewSet, basename="question")
router.register("imports", catalog.ImportJobViewSet, basename="import")

urlpatterns = [
    # account
    path("auth/register/", accounts.RegisterApi.as_view(), name="register"),
    path("auth/token/", accounts.TokenObtainApi.as_view(), name="token-obtain"),
    path("auth/token/refresh/", accounts.TokenRefreshApi.as_view(), name="token-refresh"),
    path("auth/logout/", accounts.TokenBlacklistApi.as_view(), name="logout"),
    path("auth/password/change/", accounts.PasswordChangeApi.as_view(), name="password-change"),
    path("auth/password/reset/", accounts.PasswordResetApi.as_view(), name="password-reset"),
    path(
        "auth/password/reset/confirm/",
        accounts.PasswordResetConfirmApi.as_view(),
        name="password-reset-confirm",
    ),
    path("auth/verify-email/", accounts.EmailVerificationApi.as_view(), name="verify-email"),
    path(
        "auth/verify-email/confirm/",
        accounts.EmailVerificationConfirmApi.as_view(),
        name="verify-email-confirm",
    ),
    path("me/", accounts.MeApi.as_view(), name="me"),
    path("me/export/", accounts.AccountExportApi.as_view(), name="account-export"),
    path("me/delete/", accounts.AccountDeleteApi.as_view(), name="account-delete"),
    path("me/tokens/", accounts.ApiTokenListApi.as_view(), name="token-list"),
    path("me/tokens/<int:token_id>/", accounts.ApiTokenDetailApi.as_view(), name="token-detail"),
    # bank
    path("topics/", catalog.TopicListApi.as_view(), name="topic-list"),
    path("tags/", catalog.TagListApi.as_view(), name="tag-list"),
    *router.urls,
    # revisions, nested under their question by hand (two routes do not need a nested-router package)
    path(
        "questions/<int:question_id>/revisions/",
        catalog.QuestionRevisionViewSet.as_view({"get": "list"}),
        name="question-revisions",
    ),
    path(
        "questions/<int:question_id>/revisions/<int:version>/restore/",
        catalog.QuestionRevisionViewSet.as_view({"post": "restore"}, detail=True),
        name="question-restore",
    ),
    path("exports/", catalog.ExportApi.as_view(), name="export"),
    # practice
    path("", include("prepdeck.practice.urls")),
    path("", include("prepdeck.search.urls")),
    # live interviews
    path("", include("prepdeck.interviews.urls")),
]
