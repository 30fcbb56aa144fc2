"""Account writes and the sign-in throttle."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from prepdeck.accounts import selectors
from prepdeck.accounts.models import ApiToken, User
from prepdeck.core.exceptions import NotFound


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
