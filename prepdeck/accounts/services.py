"""Account writes and the sign-in throttle."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode

from prepdeck.accounts import selectors
from prepdeck.accounts.models import ApiToken, User
from prepdeck.core.exceptions import InvalidInput, NotFound


def user_create(*, email: str, password: str, display_name: str = "") -> User:
    """Register a learner account. Raises ``ValidationError`` for a taken email or a weak password."""
    normalized = User.objects.normalize_email(email.strip()).lower()
    if selectors.user_get_by_email(email=normalized) is not None:
        raise ValidationError(
            {"email": "An account with this email address already exists."}, code="email_taken"
        )
    candidate = User(email=normalized, display_name=display_name.strip())
    password_validation.validate_password(password, user=candidate)
    candidate.full_clean(exclude=["password"])
    candidate.set_password(password)
    try:
        with transaction.atomic():
            candidate.save()
    except IntegrityError:
        # Two sign-ups raced past the check above; the case-insensitive unique constraint decided.
        raise ValidationError(
            {"email": "An account with this email address already exists."}, code="email_taken"
        ) from None
    return candidate


def user_preferences_update(
    *,
    user: User,
    time_zone: str | None = None,
    day_start_hour: int | None = None,
    desired_retention: float | None = None,
    daily_new_limit: int | None = None,
    display_name: str | None = None,
) -> User:
    """Change the given practice preferences after validating them; unchanged fields are not written."""
    changes = {
        "time_zone": time_zone,
        "day_start_hour": day_start_hour,
        "desired_retention": desired_retention,
        "daily_new_limit": daily_new_limit,
        "display_name": display_name,
    }
    changed = [name for name, value in changes.items() if value is not None and getattr(user, name) != value]
    for name in changed:
        setattr(user, name, changes[name])
    if changed:
        user.full_clean(exclude=["password", "email"])
        user.save(update_fields=changed)
    return user


# --- sign-in throttle --------------------------------------------------------------------------------
# Failures are counted per email address and per client address in the cache (Redis in production, so
# every app server sees the same counts). A success clears the email's count.


def _throttle_keys(*, email: str, client_ip: str) -> list[str]:
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    return [f"login-failures:email:{digest}", f"login-failures:ip:{client_ip}"]


def login_throttle_retry_after(*, email: str, client_ip: str) -> int | None:
    """Return seconds to wait before another sign-in attempt is allowed, or ``None`` when allowed."""
    limit = settings.LOGIN_FAILURE_LIMIT
    counts = cache.get_many(_throttle_keys(email=email, client_ip=client_ip))
    if any(int(count) >= limit for count in counts.values()):
        return int(settings.LOGIN_FAILURE_WINDOW_SECONDS)
    return None


def login_failure_record(*, email: str, client_ip: str) -> None:
    """Count one failed sign-in for the email and the client address."""
    window = int(settings.LOGIN_FAILURE_WINDOW_SECONDS)
    for key in _throttle_keys(email=email, client_ip=client_ip):
        # add() creates the counter with the window as its lifetime; incr() keeps that lifetime.
        if not cache.add(key, 1, timeout=window):
            try:
                cache.incr(key)
            except ValueError:  # expired between add() and incr()
                cache.add(key, 1, timeout=window)


def login_failures_clear(*, email: str, client_ip: str) -> None:
    """Forget the email's failures after a successful sign-in (the address keeps its count)."""
    cache.delete(_throttle_keys(email=email, client_ip=client_ip)[0])


# --- personal API tokens ------------------------------------------------------------------------------

API_TOKEN_PREFIX = "pd_"  # noqa: S105 - a public marker, not a secret


def _token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token for ``user``; returns it with the raw token, which is never stored or shown again."""
    raw = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name.strip() or "API token", prefix=raw[:10], digest=_token_digest(raw)
    )
    return token, raw


def api_token_authenticate(*, raw: str) -> ApiToken | None:
    """The live token for ``raw`` (its user active), recording when it was last used (at most once a minute)."""
    if not raw.startswith(API_TOKEN_PREFIX) or len(raw) > 100:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=_token_digest(raw), user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def api_token_revoke(*, user: User, token_id: int) -> None:
    """Delete one of ``user``'s tokens; another user's token is "not found"."""
    deleted, _ = ApiToken.objects.filter(user=user, pk=token_id).delete()
    if not deleted:
        raise NotFound("API token not found.")


# --- password and email flows for API clients ------------------------------------------------------------

EMAIL_VERIFICATION_SALT = "prepdeck.accounts.verify-email"
EMAIL_VERIFICATION_MAX_AGE = 3 * 24 * 3600


def password_change(*, user: User, old_password: str, new_password: str) -> None:
    """Change a password after checking the current one; the new one must pass the validators."""
    if not user.check_password(old_password):
        raise ValidationError({"old_password": "This is not your current password."}, code="wrong_password")
    password_validation.validate_password(new_password, user=user)
    user.set_password(new_password)
    user.save(update_fields=["password"])


def password_reset_request(*, email: str, domain: str, use_https: bool) -> None:
    """Mail a reset link if an active account has this address. Says nothing either way, so the
    answer does not reveal who has an account."""
    form = PasswordResetForm({"email": email})
    if form.is_valid():
        form.save(
            domain_override=domain,
            use_https=use_https,
            email_template_name="registration/password_reset_email.txt",
            subject_template_name="registration/password_reset_subject.txt",
        )


def password_reset_confirm(*, uid: str, token: str, new_password: str) -> User:
    """Set a new password with the uid and token from a reset email (single use: the token dies with
    the old password)."""
    try:
        user_id = force_str(urlsafe_base64_decode(uid))
        user = User.objects.filter(pk=int(user_id), is_active=True).first()
    except (ValueError, TypeError, OverflowError):
        user = None
    if user is None or not default_token_generator.check_token(user, token):
        raise InvalidInput(
            "This reset link is invalid or has expired; ask for a new one.", code="invalid_token"
        )
    password_validation.validate_password(new_password, user=user)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    return user


def email_verification_send(*, user: User, domain: str, use_https: bool) -> None:
    """Mail the user a link that proves they receive mail at their address."""
    token = signing.dumps({"user": user.pk, "email": user.email}, salt=EMAIL_VERIFICATION_SALT)
    link = f"{'https' if use_https else 'http'}://{domain}{reverse('accounts:verify_email')}?token={token}"
    send_mail(
        subject="Confirm your PrepDeck email address",
        message=(
            f"Confirm that {user.email} is your address by opening this link (valid for three days):\n{link}\n\n"
            f"Apps can send this token to POST /api/v1/auth/verify-email/confirm/ instead:\n{token}\n"
        ),
        from_email=None,
        recipient_list=[user.email],
    )


def email_verification_confirm(*, token: str) -> User:
    """Mark the address verified; the token must be recent and for the user's current address."""
    try:
        data = signing.loads(token, salt=EMAIL_VERIFICATION_SALT, max_age=EMAIL_VERIFICATION_MAX_AGE)
    except signing.SignatureExpired:
        raise InvalidInput("This link has expired; ask for a new one.", code="invalid_token") from None
    except signing.BadSignature:
        raise InvalidInput("This link is not valid.", code="invalid_token") from None
    user = User.objects.filter(pk=data.get("user"), email=data.get("email"), is_active=True).first()
    if user is None:
        raise InvalidInput("This link is not valid.", code="invalid_token")
    if user.email_verified_at is None:
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])
    return user


@transaction.atomic
def user_delete(*, user: User, password: str) -> None:
    """Delete the account and everything that is only theirs (cards, reviews, quizzes, tokens...).
    Questions they wrote stay in the bank without an author."""
    if not user.check_password(password):
        raise ValidationError({"password": "This is not your password."}, code="wrong_password")
    user.delete()
