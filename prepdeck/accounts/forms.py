"""Account forms. They validate input and delegate every decision to ``services``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.db.models import Field
from django.http import HttpRequest

from prepdeck.accounts import services
from prepdeck.accounts.models import User


def client_ip(request: HttpRequest | None) -> str:
    """The address the throttle counts against (the proxy sets REMOTE_ADDR correctly in production)."""
    if request is None:
        return "unknown"
    return str(request.META.get("REMOTE_ADDR") or "unknown")


class SignInForm(AuthenticationForm):
    """Django's sign-in form with a throttle: after repeated failures further attempts are refused."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "throttled": "Too many failed sign-in attempts. Try again in %(minutes)d minutes.",
    }

    def __init__(self, request: HttpRequest | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        self.throttled = False
        self.fields["username"].widget.attrs.update({"autocomplete": "email", "type": "email"})

    def clean(self) -> dict[str, Any]:
        email = str(self.data.get("username") or "")
        ip = client_ip(self.request)
        retry_after = services.login_throttle_retry_after(email=email, client_ip=ip)
        if retry_after is not None:
            self.throttled = True
            raise ValidationError(
                self.error_messages["throttled"],
                code="throttled",
                params={"minutes": max(1, retry_after // 60)},
            )
        try:
            cleaned = super().clean()
        except ValidationError as error:
            if error.code == "invalid_login":
                services.login_failure_record(email=email, client_ip=ip)
            raise
        services.login_failures_clear(email=email, client_ip=ip)
        return cleaned


class SignUpForm(forms.Form):
    email = forms.EmailField(max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    display_name = forms.CharField(max_length=150, required=False, label="Name (optional)")
    password1 = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="Password again",
        strip=False,
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
            raise


PREFERENCE_FIELDS = ["display_name", "time_zone", "day_start_hour", "desired_retention", "daily_new_limit"]


class PreferencesForm(forms.Form):
    """The model's own fields and validators, as a plain form: a ModelForm would write the input onto the
    user object during validation, before ``services.user_preferences_update`` has decided anything."""

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {name: getattr(user, name) for name in PREFERENCE_FIELDS})
        super().__init__(*args, **kwargs)
        self.fields.update(forms.fields_for_model(User, fields=PREFERENCE_FIELDS))
        for name in PREFERENCE_FIELDS:
            # Model-level validators normally run in ModelForm._post_clean; run them on the form field.
            model_field = User._meta.get_field(name)
            assert isinstance(model_field, Field)
            self.fields[name].validators = [*self.fields[name].validators, *model_field.validators]
        self.fields["desired_retention"].widget.attrs.update({"step": "0.01", "min": "0.70", "max": "0.97"})
