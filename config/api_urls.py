"""``/api/v1/``: every endpoint of the public API, version 1 (see docs/api.md for the changelog)."""

from django.urls import include, path

from prepdeck.accounts import apis as accounts
from prepdeck.catalog import apis as catalog

app_name = "api"

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
    path("questions/", catalog.QuestionListApi.as_view(), name="question-list"),
    path("questions/deleted/", catalog.QuestionDeletedListApi.as_view(), name="question-deleted-list"),
    path("questions/<int:question_id>/", catalog.QuestionDetailApi.as_view(), name="question-detail"),
    path(
        "questions/<int:question_id>/restore/",
        catalog.QuestionUndeleteApi.as_view(),
        name="question-undelete",
    ),
    path("questions/<int:question_id>/submit/", catalog.QuestionSubmitApi.as_view(), name="question-submit"),
    path(
        "questions/<int:question_id>/publish/", catalog.QuestionPublishApi.as_view(), name="question-publish"
    ),
    path(
        "questions/<int:question_id>/archive/", catalog.QuestionArchiveApi.as_view(), name="question-archive"
    ),
    path("questions/<int:question_id>/reopen/", catalog.QuestionReopenApi.as_view(), name="question-reopen"),
    path(
        "questions/<int:question_id>/revisions/",
        catalog.QuestionRevisionListApi.as_view(),
        name="question-revisions",
    ),
    path(
        "questions/<int:question_id>/revisions/<int:version>/restore/",
        catalog.QuestionRestoreApi.as_view(),
        name="question-restore",
    ),
    path("imports/", catalog.ImportJobListApi.as_view(), name="import-list"),
    path("imports/<int:job_id>/", catalog.ImportJobDetailApi.as_view(), name="import-detail"),
    path("exports/", catalog.ExportApi.as_view(), name="export"),
    # practice
    path("", include("prepdeck.practice.urls")),
    path("", include("prepdeck.search.urls")),
    # live interviews
    path("", include("prepdeck.interviews.urls")),
]
