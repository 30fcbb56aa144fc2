"""Account forms. They validate input and delegate every decision to ``services``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, SetPasswordForm
from django.contrib.auth.forms import PasswordChangeForm as DjangoPasswordChangeForm
from django.core.exceptions import ValidationError
from django.db.models import Field
from django.http import HttpRequest
from django.urls import reverse

from prepdeck.accounts import services, validators
from prepdeck.accounts.models import User
from prepdeck.accounts.retention import REFERENCE_RETENTION


class FocusFirstErrorMixin:
    """After a failed validation, put ``autofocus`` on the first field with an error, so keyboard and
    screen-reader users land where they need to type (and nowhere else keeps an ``autofocus``)."""

    fields: dict[str, forms.Field]
    errors: Any

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        self.focus_first_error()

    def focus_first_error(self) -> None:
        """Move ``autofocus`` to the first invalid field; call again after adding errors yourself."""
        invalid = [name for name in self.fields if name in self.errors]
        if not invalid:
            return
        for name, field in self.fields.items():
            field.widget.attrs.pop("autofocus", None)
            if name == invalid[0]:
                field.widget.attrs["autofocus"] = True


class SignInFlowMixin:
    """``AuthenticationForm.clean`` through ``services.sign_in``: the lockout and its messages, the same as
    every other door. ``throttled`` and ``retry_after`` tell the view to answer 429 with ``Retry-After``."""

    request: HttpRequest | None
    cleaned_data: dict[str, Any]
    user_cache: Any
    error_messages: dict[str, Any]

    def clean(self) -> dict[str, Any]:
        email = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        self.throttled = False
        if email is not None and password:
            assert self.request is not None, "the sign-in flow needs the request"
            try:
                self.user_cache = services.sign_in(request=self.request, email=email, password=password)
            except services.SignInLocked as error:
                self.throttled = True
                self.retry_after = error.retry_after
                self.retry_after_text = error.wait_text
                raise ValidationError(error.message, code="throttled") from None
            except services.SignInFailed:
                raise ValidationError(services.SIGN_IN_FAILED_MESSAGE, code="invalid_login") from None
            self.confirm_login_allowed(self.user_cache)  # type: ignore[attr-defined]
        return self.cleaned_data


class SignInForm(SignInFlowMixin, AuthenticationForm):
    """Django's sign-in form over our sign-in flow: after repeated failures further attempts are refused."""

    error_messages = {**AuthenticationForm.error_messages, "invalid_login": services.SIGN_IN_FAILED_MESSAGE}

    def __init__(self, request: HttpRequest | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        self.throttled = False
        self.retry_after = 0
        self.retry_after_text = ""
        self.fields["username"].label = "Email address"
        self.fields["username"].widget.attrs.update({"autocomplete": "email", "type": "email"})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})

    def full_clean(self) -> None:
        super().full_clean()
        if self.errors and self.data.get("username") and not self.throttled:
            # The email is kept: the password is what needs typing again.
            self.fields["username"].widget.attrs.pop("autofocus", None)
            self.fields["password"].widget.attrs["autofocus"] = True


class AdminSignInForm(SignInFlowMixin, AdminAuthenticationForm):
    """The admin's login form over the same sign-in flow (staff only, as Django's)."""


class PasswordChangeForm(DjangoPasswordChangeForm):
    """Django's form, with the old password checked by the sign-in flow and the new one set (and what the old
    one granted revoked) by ``services.password_set``."""

    def __init__(self, user: User, *args: Any, request: HttpRequest, **kwargs: Any) -> None:
        super().__init__(user, *args, **kwargs)
        self.request = request
        self.throttled = False
        self.retry_after = 0

    def clean_old_password(self) -> str:
        old_password = str(self.cleaned_data["old_password"])
        try:
            services.password_verify(request=self.request, user=self.user, password=old_password)
        except services.SignInLocked as error:
            self.throttled = True
            self.retry_after = error.retry_after
            raise ValidationError(error.message, code="throttled") from None
        except services.SignInFailed:
            raise ValidationError(
                self.error_messages["password_incorrect"], code="password_incorrect"
            ) from None
        return old_password

    def save(self, commit: bool = True) -> Any:
        services.password_set(user=self.user, new_password=self.cleaned_data["new_password1"])
        return self.user


class ResetPasswordForm(SetPasswordForm):
    """Django's form for the reset link's page; the password is set through ``services.password_set``."""

    def save(self, commit: bool = True) -> Any:
        services.password_set(user=self.user, new_password=self.cleaned_data["new_password1"])
        return self.user


class SignUpForm(FocusFirstErrorMixin, forms.Form):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="You sign in with it; password-reset links go there.",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    display_name = forms.CharField(
        max_length=150,
        required=False,
        label="Name (optional)",
        help_text="Shown in the header instead of your email address.",
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )
    password1 = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="Password again",
        strip=False,
        help_text="Type the same password once more, to rule out a typo.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("password1") and cleaned.get("password1") != cleaned.get("password2"):
            self.add_error("password2", "The two passwords differ.")
        return cleaned

    def save(self) -> User:
        """Create the account through the service; its validation errors land on the matching fields."""
        try:
            return services.user_create(
                email=self.cleaned_data["email"],
                password=self.cleaned_data["password1"],
                display_name=self.cleaned_data.get("display_name", ""),
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.error_dict.items():
                    self.add_error(field if field in self.fields else None, errors)
            else:
                self.add_error("password1", error)
            self.focus_first_error()
            raise


PREFERENCE_FIELDS = [
    "display_name",
    "time_zone",
    "day_start_hour",
    "desired_retention",
    "daily_new_limit",
    "study_reminder_enabled",
    "study_reminder_hour",
    "weekly_digest_enabled",
]
TIME_ZONE_REGIONS = (
    "Africa",
    "America",
    "Antarctica",
    "Asia",
    "Atlantic",
    "Australia",
    "Europe",
    "Indian",
    "Pacific",
)


def time_zone_suggestions() -> list[str]:
    """The zone names worth suggesting while typing: "UTC" and the ``Region/City`` names (the legacy
    aliases such as ``US/Pacific`` or ``Etc/GMT+5`` are still accepted, only not suggested)."""
    regional = (
        name for name in validators.available_time_zones() if name.split("/", 1)[0] in TIME_ZONE_REGIONS
    )
    return ["UTC", *sorted(regional)]


def _hour_label(hour: int) -> str:
    if hour == 0:
        return "00:00 (midnight)"
    if hour == 12:
        return "12:00 (noon)"
    return f"{hour:02d}:00"


class PreferencesForm(FocusFirstErrorMixin, forms.Form):
    """The model's own fields and validators, as a plain form: a ModelForm would write the input onto the
    user object during validation, before ``services.user_preferences_update`` has decided anything."""

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        initial = {name: getattr(user, name) for name in PREFERENCE_FIELDS}
        initial["desired_retention"] = f"{user.desired_retention:.2f}"  # "0.90", not "0.9"
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.fields.update(forms.fields_for_model(User, fields=PREFERENCE_FIELDS))
        for name in PREFERENCE_FIELDS:
            # Model-level validators normally run in ModelForm._post_clean; run them on the form field.
            model_field = User._meta.get_field(name)
            assert isinstance(model_field, Field)
            self.fields[name].validators = [*self.fields[name].validators, *model_field.validators]
        fields = self.fields
        fields["display_name"].label = "Name"
        fields["display_name"].help_text = "Shown in the header. Leave it empty to show your email address."
        fields["display_name"].widget.attrs.update({"autocomplete": "nickname"})
        fields["time_zone"].help_text = (
            "Start typing a city or region, e.g. Europe/Berlin or America/New_York. "
            "Your study day and the daily queue follow this zone."
        )
        fields["time_zone"].widget.attrs.update(
            {"list": "time-zone-list", "autocomplete": "off", "spellcheck": "false", "data-time-zone": ""}
        )
        fields["day_start_hour"].label = "New study day starts at"
        fields["day_start_hour"].help_text = (
            "Reviews done after midnight but before this hour still count for the previous day. "
            "04:00 suits most people; night owls pick a later hour."
        )
        fields["day_start_hour"].widget = forms.Select(
            choices=[(hour, _hour_label(hour)) for hour in range(24)]
        )
        fields["desired_retention"].help_text = (
            f"A number from {validators.MIN_DESIRED_RETENTION:.2f} to {validators.MAX_DESIRED_RETENTION:.2f}; "
            f"{REFERENCE_RETENTION:.2f} is the default."
        )
        fields["desired_retention"].widget.attrs.update(
            {
                "step": "0.01",
                "min": f"{validators.MIN_DESIRED_RETENTION:.2f}",
                "max": f"{validators.MAX_DESIRED_RETENTION:.2f}",
                "inputmode": "decimal",
                "hx-get": reverse("accounts:retention_effect"),
                "hx-trigger": "input changed delay:300ms",
                "hx-target": "#retention-effect",
                "hx-sync": "this:replace",
            }
        )
        fields["daily_new_limit"].label = "New questions per day"
        fields["daily_new_limit"].help_text = (
            f"Questions you have never seen, added to your reviews each study day (0–"
            f"{validators.MAX_DAILY_NEW_LIMIT}). Each new question brings a few reviews over the following "
            "weeks; 10–20 a day is a steady pace."
        )
        fields["daily_new_limit"].widget.attrs.update({"max": str(validators.MAX_DAILY_NEW_LIMIT)})
        fields["study_reminder_enabled"].label = "Email me a study reminder on days with cards due"
        fields["study_reminder_enabled"].help_text = "At most one a day, only when something is due."
        fields["study_reminder_hour"].label = "Send reminders from"
        fields[
            "study_reminder_hour"
        ].help_text = (
            "Local time, in the time zone above. The weekly digest comes on Mondays from this hour too."
        )
        fields["study_reminder_hour"].widget = forms.Select(
            choices=[(hour, _hour_label(hour)) for hour in range(24)]
        )
        fields["study_reminder_hour"].required = False  # left out: unchanged (None is not written)
        fields["weekly_digest_enabled"].label = "Email me a weekly progress digest"
        fields[
            "weekly_digest_enabled"
        ].help_text = "Reviews done, retention against your target and your weakest topics, once a week."


class ApiTokenCreateForm(FocusFirstErrorMixin, forms.Form):
    name = forms.CharField(
        label="Token name",
        max_length=100,
        help_text="What it is for, so you recognise it later, e.g. “my CLI” or “laptop script”.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class AccountDeleteForm(FocusFirstErrorMixin, forms.Form):
    password = forms.CharField(
        label="Your password",
        strip=False,
        help_text="To make sure it is you.",
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
