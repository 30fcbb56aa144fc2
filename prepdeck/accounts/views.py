"""Account pages: sign-up, sign-in and password pages (Django's auth views wired to our forms and
templates), and the account hub: preferences, email verification, API tokens, data export, account deletion.
Views are thin over ``accounts.services`` and ``accounts.selectors``, like the REST API in ``apis.py``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from rest_framework.renderers import JSONRenderer

from prepdeck.accounts import selectors, services, validators
from prepdeck.accounts.forms import (
    AccountDeleteForm,
    ApiTokenCreateForm,
    PasswordChangeForm,
    PreferencesForm,
    ResetPasswordForm,
    SignInForm,
    SignUpForm,
    time_zone_suggestions,
)
from prepdeck.accounts.models import User
from prepdeck.accounts.retention import REFERENCE_RETENTION, TYPICAL_RETENTIONS, retention_effect
from prepdeck.core.exceptions import InvalidInput, NotFound
from prepdeck.core.outages import fallback_cache

# The raw token of a just-created API token waits here for the one page that shows it, which removes it.
NEW_TOKEN_SESSION_KEY = "accounts.new_api_token"  # noqa: S105 - a session key name, not a secret
EXPORT_FILENAME = "prepdeck-my-data.json"

VERIFICATION_RESEND_SECONDS = 60


def _user(request: HttpRequest) -> User:
    """The signed-in user (the views using it are behind ``login_required``)."""
    user = request.user
    assert isinstance(user, User)
    return user


def _throttled_status(response: HttpResponse, form: Any) -> HttpResponse:
    """A form refused by the sign-in lockout answers 429 with the seconds actually remaining."""
    if getattr(form, "throttled", False):
        response.status_code = 429
        response["Retry-After"] = str(form.retry_after)
    return response


# --- signing up, in and out ---------------------------------------------------------------------------


class SignInView(auth_views.LoginView):
    form_class = SignInForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def form_invalid(self, form: Any) -> HttpResponse:
        return _throttled_status(super().form_invalid(form), form)


class SignOutView(auth_views.LogoutView):
    """Sign out with a POST (the header's button); a GET, e.g. a typed address, asks first instead of
    answering 405."""

    http_method_names = ["get", "post", "options"]
    template_name = "registration/logout.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect("web:home")
        return render(request, self.template_name)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        was_signed_in = request.user.is_authenticated
        response = super().post(request, *args, **kwargs)
        if was_signed_in:
            messages.info(request, "You are signed out. See you next time.")
        return response


@require_http_methods(["GET", "POST"])
def sign_up(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("web:home")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = form.save()
        except ValidationError:
            pass  # the form now carries the errors next to their fields
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, "Welcome to PrepDeck. Your account is ready.")
            return redirect("web:home")
    return render(request, "registration/signup.html", {"form": form})


# --- passwords ------------------------------------------------------------------------------------------


class PasswordChangeView(auth_views.PasswordChangeView):
    """Change the password (the old one checked by the sign-in flow); Django keeps this session signed in,
    every other session, refresh token and personal API token ends (``services.password_set``)."""

    form_class = PasswordChangeForm
    success_url = reverse_lazy("accounts:password_change_done")

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "request": self.request}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["api_token_count"] = len(selectors.api_token_list(user=_user(self.request)))
        return context

    def form_invalid(self, form: Any) -> HttpResponse:
        return _throttled_status(super().form_invalid(form), form)


class PasswordResetView(auth_views.PasswordResetView):
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = ResetPasswordForm
    success_url = reverse_lazy("accounts:password_reset_complete")


# --- preferences, the account's hub ---------------------------------------------------------------------


def _retention_rows() -> list[Any]:
    return [retention_effect(value) for value in TYPICAL_RETENTIONS]


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = PreferencesForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_preferences_update(user=user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Preferences saved.")
            return redirect("accounts:preferences")
    shown_retention = form.cleaned_data.get("desired_retention") if form.is_bound else None
    context = {
        "form": form,
        "time_zones": time_zone_suggestions(),
        "retention_effect": retention_effect(shown_retention or user.desired_retention),
        "retention_rows": _retention_rows(),
        "reference_retention": REFERENCE_RETENTION,
    }
    return render(request, "accounts/preferences.html", context)


@login_required
@require_GET
def retention_effect_preview(request: HttpRequest) -> HttpResponse:
    """The one-sentence effect of a desired retention, swapped in by htmx while the user types."""
    try:
        value = float(request.GET.get("desired_retention", ""))
        validators.validate_desired_retention(value)
    except (ValueError, ValidationError):
        effect = None
    else:
        effect = retention_effect(value)
    return render(
        request,
        "accounts/_retention_effect.html",
        {"retention_effect": effect, "reference_retention": REFERENCE_RETENTION},
    )


@login_required
@require_POST
def verify_email_send(request: HttpRequest) -> HttpResponse:
    """Mail the signed-in user a verification link (the hub's "Send verification email" button)."""
    user = _user(request)
    if user.email_verified_at is not None:
        messages.info(request, f"{user.email} is already verified.")
    elif not fallback_cache.add(f"verify-email-sent:{user.pk}", True, timeout=VERIFICATION_RESEND_SECONDS):
        # the page's own throttle, as the API endpoint has one: a double click or a reload mails once
        messages.info(
            request,
            "We sent a link less than a minute ago. Check your inbox (and spam folder) before asking again.",
        )
    else:
        services.email_verification_send(user=user, domain=request.get_host(), use_https=request.is_secure())
        messages.success(
            request, f"We sent a link to {user.email}. Open it within three days to verify the address."
        )
    return redirect("accounts:preferences")


@require_GET
def verify_email(request: HttpRequest) -> HttpResponse:
    """The link in the verification email: confirms the address and says so."""
    try:
        user = services.email_verification_confirm(token=request.GET.get("token", ""))
    except InvalidInput as error:
        return render(request, "accounts/verify_email.html", {"error": error.message}, status=400)
    return render(request, "accounts/verify_email.html", {"verified": user.email})


# --- one-click unsubscribe (no sign-in) --------------------------------------------------------------------


@csrf_exempt  # the signed token is the credential; mail clients POST here without cookies (RFC 8058)
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """The link in every reminder and digest. GET asks to confirm (so a mail scanner that follows links
    unsubscribes nobody); POST, from that page's button or from the mail client's one-click
    ``List-Unsubscribe-Post``, turns the mailing off."""
    try:
        if request.method == "POST":
            user, mailing = services.unsubscribe(token=token)
        else:
            user, mailing = services.unsubscribe_check(token=token)
    except InvalidInput as error:
        return render(request, "accounts/unsubscribe.html", {"error": error.message}, status=400)
    context = {
        "done": request.method == "POST",
        "email": user.email,
        "mailing": services.MAILINGS[mailing][1],
        "subscribed": getattr(user, services.MAILINGS[mailing][0]),
    }
    return render(request, "accounts/unsubscribe.html", context)


# --- personal API tokens ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    """List the user's tokens and create one; the new token is shown once, on the next page."""
    user = _user(request)
    form = ApiTokenCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token, raw = services.api_token_create(user=user, name=form.cleaned_data["name"])
        request.session[NEW_TOKEN_SESSION_KEY] = {"name": token.name, "prefix": token.prefix, "raw": raw}
        return redirect("accounts:api_token_created")
    return render(
        request, "accounts/tokens.html", {"form": form, "tokens": selectors.api_token_list(user=user)}
    )


@never_cache
@login_required
@require_GET
def api_token_created(request: HttpRequest) -> HttpResponse:
    """Show a new token's secret this one time; a reload finds it gone and returns to the list."""
    new_token = request.session.pop(NEW_TOKEN_SESSION_KEY, None)
    if not new_token:
        return redirect("accounts:api_tokens")
    return render(request, "accounts/token_created.html", {"new_token": new_token})


@login_required
@require_POST
def api_token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    try:
        services.api_token_revoke(user=_user(request), token_id=token_id)
    except NotFound as error:
        raise Http404(error.message) from None
    messages.success(request, "Token revoked. Programs using it can no longer call the API.")
    return redirect("accounts:api_tokens")


# --- export and deletion ------------------------------------------------------------------------------------


@login_required
@require_GET
def export(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/export.html", {"filename": EXPORT_FILENAME})


@never_cache
@login_required
@require_GET
def export_download(request: HttpRequest) -> HttpResponseBase:
    """The user's data as a JSON file, the same document as ``GET /api/v1/me/export/``."""
    data = selectors.user_data_export(user=_user(request))
    # The API's renderer, so dates, decimals and the like come out exactly as the API sends them.
    body = JSONRenderer().render(data, renderer_context={"indent": 2})
    response = HttpResponse(body, content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{EXPORT_FILENAME}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def account_delete(request: HttpRequest) -> HttpResponse:
    """Delete the account after the password is confirmed, then sign out and go home."""
    user = _user(request)
    form = AccountDeleteForm(request.POST or None)
    status, retry_after = 200, 0
    if request.method == "POST" and form.is_valid():
        try:
            services.user_delete(request=request, user=user, password=form.cleaned_data["password"])
        except services.SignInLocked as error:
            form.add_error("password", error.message)
            form.focus_first_error()
            status = 429
            retry_after = error.retry_after
        except ValidationError as error:
            form.add_error(None, error)  # the service names the field: the error lands next to it
            form.focus_first_error()
        else:
            logout(request)
            messages.success(request, "Your account and your practice data have been deleted. Goodbye!")
            return redirect("web:home")
    response = render(request, "accounts/delete.html", {"form": form}, status=status)
    if status == 429:
        response["Retry-After"] = str(retry_after)
    return response
