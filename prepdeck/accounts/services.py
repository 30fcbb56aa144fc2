"""Account writes, the sign-in flow every password door calls, and revocation on a new password."""

from __future__ import annotations

import contextlib
import hashlib
import math
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate, password_validation
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from prepdeck.accounts import lockout, selectors
from prepdeck.accounts.models import ApiToken, User
from prepdeck.core.exceptions import ApplicationError, InvalidInput, NotFound


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
    study_reminder_enabled: bool | None = None,
    study_reminder_hour: int | None = None,
    weekly_digest_enabled: bool | None = None,
) -> User:
    """Change the given practice and email preferences after validating them; unchanged fields are not
    written."""
    changes = {
        "time_zone": time_zone,
        "day_start_hour": day_start_hour,
        "desired_retention": desired_retention,
        "daily_new_limit": daily_new_limit,
        "display_name": display_name,
        "study_reminder_enabled": study_reminder_enabled,
        "study_reminder_hour": study_reminder_hour,
        "weekly_digest_enabled": weekly_digest_enabled,
    }
    changed = [name for name, value in changes.items() if value is not None and getattr(user, name) != value]
    for name in changed:
        setattr(user, name, changes[name])
    if changed:
        user.full_clean(exclude=["password", "email"])
        user.save(update_fields=changed)
    return user


# --- the sign-in flow ----------------------------------------------------------------------------------
# Every door that checks a password (the sign-in page, ``POST /api/v1/auth/token/``, password change, account
# deletion, the admin's login) calls ``sign_in`` or ``password_verify``, which call ``authenticate()`` with
# the request. django-axes (``accounts.lockout``) counts the failures per account and per client address in
# the database and refuses a locked account even with the right password; the doors word the outcome with
# the messages below, so they all say the same.

SIGN_IN_FAILED_MESSAGE = (
    "Please enter a correct email address and password. Both are case-sensitive except the email address."
)
SIGN_IN_LOCKED_MESSAGE = "Too many failed sign-in attempts. Try again in {wait}."


def _wait_text(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


class SignInFailed(ApplicationError):
    """Wrong email or password (the two are never told apart)."""

    code = "invalid_credentials"
    status_code = 401

    def __init__(self) -> None:
        super().__init__(SIGN_IN_FAILED_MESSAGE)


class SignInLocked(ApplicationError):
    """Too many failures for the account or the client address; ``retry_after`` is the time remaining."""

    code = "sign_in_locked"
    status_code = 429

    def __init__(self, *, retry_after: int) -> None:
        self.retry_after = max(1, retry_after)
        self.wait_text = _wait_text(self.retry_after)
        super().__init__(
            SIGN_IN_LOCKED_MESSAGE.format(wait=self.wait_text), details={"retry_after": self.retry_after}
        )


def sign_in(*, request: HttpRequest, email: str, password: str) -> User:
    """Check an email and password for ``request`` and return the user (not signed in: that is the door's
    choice). Raises ``SignInLocked`` while the account or the address is locked, right password or not, and
    ``SignInFailed`` for a wrong email or password, an inactive account included."""
    user = authenticate(request, username=email, password=password)
    if user is None:
        if getattr(request, "axes_locked_out", False):
            # the address as axes recorded it (``AXES_CLIENT_IP_CALLABLE``, our one client-address helper)
            seconds = lockout.seconds_locked(
                email=email, ip_address=getattr(request, "axes_ip_address", None)
            )
            raise SignInLocked(retry_after=seconds or int(lockout.cool_off().total_seconds()))
        raise SignInFailed()
    assert isinstance(user, User)
    lockout.account_failures_clear(email=email)
    return user


def password_verify(*, request: HttpRequest, user: User, password: str) -> None:
    """Check the signed-in ``user``'s password through the sign-in flow, so a wrong one counts as a failed
    sign-in and a locked account cannot confirm anything. Raises ``SignInFailed`` or ``SignInLocked``."""
    if sign_in(request=request, email=user.email, password=password).pk != user.pk:
        raise SignInFailed()


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


def credentials_revoke(*, user: User) -> dict[str, int]:
    """End every way in that was granted with the old password: blacklist the user's outstanding JWT refresh
    tokens and delete their personal API tokens. (Access tokens carry a digest of the password hash, see
    ``SIMPLE_JWT["CHECK_REVOKE_TOKEN"]``, and browser sessions a hash of it, so both die with the password;
    the door that changed it keeps its own session with ``update_session_auth_hash``.)"""
    outstanding = OutstandingToken.objects.filter(user=user, blacklistedtoken__isnull=True).only("pk")
    created = BlacklistedToken.objects.bulk_create(
        [BlacklistedToken(token=token) for token in outstanding], ignore_conflicts=True
    )
    api_tokens, _ = ApiToken.objects.filter(user=user).delete()
    return {"refresh_tokens": len(created), "api_tokens": api_tokens}


@transaction.atomic
def password_set(*, user: User, new_password: str) -> None:
    """Give ``user`` a new password (it must pass the validators) and revoke what the old one granted.
    Every door that sets a password (change, reset, the API's and the web's) ends here."""
    password_validation.validate_password(new_password, user=user)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    credentials_revoke(user=user)


def password_change(*, request: HttpRequest, user: User, old_password: str, new_password: str) -> None:
    """Change a password after checking the current one through the sign-in flow (so guesses count and a
    locked account is refused); raises ``SignInLocked``, or ``ValidationError`` for a wrong current one."""
    try:
        password_verify(request=request, user=user, password=old_password)
    except SignInFailed:
        raise ValidationError(
            {"old_password": "Your old password was entered incorrectly. Please enter it again."},
            code="password_incorrect",
        ) from None
    password_set(user=user, new_password=new_password)


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
    password_set(user=user, new_password=new_password)
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


def user_delete(*, request: HttpRequest, user: User, password: str) -> None:
    """Delete the account and everything that is only theirs (cards, reviews, quizzes, tokens...), after
    checking the password through the sign-in flow (raises ``SignInLocked``, or ``ValidationError`` for a
    wrong password). Questions they wrote stay in the bank without an author."""
    try:
        password_verify(request=request, user=user, password=password)
    except SignInFailed:
        raise ValidationError({"password": "This is not your password."}, code="wrong_password") from None
    with transaction.atomic():
        # Refresh tokens outlive the user row (their user becomes NULL): blacklist them first.
        credentials_revoke(user=user)
        user.delete()


# --- email subscriptions: opting out without signing in ----------------------------------------------------
# Each reminder and digest carries a one-click unsubscribe link (and the List-Unsubscribe headers) whose
# token is signed with SECRET_KEY: it names the user and the mailing, never expires (an old email's link
# must still work, so it carries no timestamp and stays the same for a user and mailing) and can only turn a mailing off.

UNSUBSCRIBE_SALT = "prepdeck.accounts.unsubscribe"
MAILINGS = {
    "study_reminder": ("study_reminder_enabled", "daily study reminders"),
    "weekly_digest": ("weekly_digest_enabled", "the weekly progress digest"),
}


def unsubscribe_token(*, user: User, mailing: str) -> str:
    """The signed token of ``user``'s unsubscribe link for ``mailing`` (a key of ``MAILINGS``)."""
    if mailing not in MAILINGS:
        raise ValueError(f"Unknown mailing {mailing!r}")
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign_object({"user": user.pk, "mailing": mailing})


def unsubscribe_url(*, user: User, mailing: str) -> str:
    """The absolute unsubscribe link (``SITE_URL`` gives the scheme and host: emails leave without a request)."""
    path = reverse("accounts:unsubscribe", kwargs={"token": unsubscribe_token(user=user, mailing=mailing)})
    return absolute_url(path)


def absolute_url(path: str) -> str:
    """``path`` on the site's public address (``SITE_URL``)."""
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def unsubscribe_check(*, token: str) -> tuple[User, str]:
    """The user and mailing a token names; ``InvalidInput`` (``invalid_token``) for a forged or stale one."""
    try:
        data = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign_object(token)
    except signing.BadSignature:
        raise InvalidInput("This unsubscribe link is not valid.", code="invalid_token") from None
    if (
        not isinstance(data, dict)
        or data.get("mailing") not in MAILINGS
        or not isinstance(data.get("user"), int)
    ):
        raise InvalidInput("This unsubscribe link is not valid.", code="invalid_token")
    mailing = data["mailing"]
    user = User.objects.filter(pk=data["user"]).first()
    if user is None:
        raise InvalidInput("This unsubscribe link is not valid.", code="invalid_token")
    return user, str(mailing)


def unsubscribe(*, token: str) -> tuple[User, str]:
    """Turn off the mailing the token names (idempotent: a second click changes nothing)."""
    user, mailing = unsubscribe_check(token=token)
    field = MAILINGS[mailing][0]
    User.objects.filter(pk=user.pk).update(**{field: False})
    setattr(user, field, False)
    return user, mailing


# --- housekeeping (the periodic sweep tasks call these) ----------------------------------------------------


def expired_sessions_clear() -> int | None:
    """Delete expired sessions, as ``manage.py clearsessions`` does; return how many for the database
    engines (``db``, ``cached_db``), ``None`` for the others (the cache expires its own; files are cleared
    by the engine's ``clear_expired``)."""
    from importlib import import_module

    store = import_module(settings.SESSION_ENGINE).SessionStore
    if hasattr(store, "get_model_class"):
        deleted, _ = store.get_model_class().objects.filter(expire_date__lt=timezone.now()).delete()
        return int(deleted)
    with contextlib.suppress(NotImplementedError):  # signed cookies: nothing is stored on the server
        store.clear_expired()
    return None


def expired_tokens_flush() -> int:
    """Delete expired refresh tokens and, with them (cascade), their blacklist entries, as simplejwt's
    ``flushexpiredtokens`` command does; return how many outstanding tokens went."""
    _, per_model = OutstandingToken.objects.filter(expires_at__lte=timezone.now()).delete()
    return per_model.get(OutstandingToken._meta.label, 0)
