from django.contrib.auth import views as auth_views
from django.urls import path

from prepdeck.accounts import views

app_name = "accounts"

urlpatterns = [
    path("signup/", views.sign_up, name="signup"),
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", views.SignOutView.as_view(), name="logout"),
    path("preferences/", views.preferences, name="preferences"),
    path("preferences/retention-effect/", views.retention_effect_preview, name="retention_effect"),
    path("verify-email/", views.verify_email, name="verify_email"),
    path("verify-email/send/", views.verify_email_send, name="verify_email_send"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("tokens/", views.api_tokens, name="api_tokens"),
    path("tokens/created/", views.api_token_created, name="api_token_created"),
    path("tokens/<int:token_id>/revoke/", views.api_token_revoke, name="api_token_revoke"),
    path("export/", views.export, name="export"),
    path("export/download/", views.export_download, name="export_download"),
    path("delete/", views.account_delete, name="delete"),
    path("password/change/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password/change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
