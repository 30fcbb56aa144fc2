from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, AdminUserCreationForm, UserChangeForm

from prepdeck.accounts import services
from prepdeck.accounts.forms import AdminSignInForm
from prepdeck.accounts.models import User


class UserCreationAdminForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):  # type: ignore[name-defined]
        model = User
        fields = ("email",)
        field_classes: dict[str, type] = {}


class UserChangeAdminForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):  # type: ignore[name-defined]
        model = User
        fields = "__all__"
        field_classes: dict[str, type] = {}


class AdminPasswordSetForm(AdminPasswordChangeForm):
    """The admin's "change password" for a user: a new password (or none) revokes what the old one granted,
    as at every other door (``services.credentials_revoke``)."""

    def save(self, commit: bool = True) -> User:
        user = super().save(commit=commit)
        assert isinstance(user, User)
        if commit:
            services.credentials_revoke(user=user)
        return user


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    change_password_form = AdminPasswordSetForm
    add_form = UserCreationAdminForm
    form = UserChangeAdminForm
    ordering = ("email",)
    list_display = ("email", "display_name", "is_staff", "is_active", "date_joined")
    list_filter = ("is_staff", "is_superuser", "is_active", "groups")
    search_fields = ("email", "display_name")
    readonly_fields = ("last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("display_name",)}),
        (
            "Practice preferences",
            {"fields": ("time_zone", "day_start_hour", "desired_retention", "daily_new_limit")},
        ),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "usable_password", "password1", "password2")}),
    )


# The admin's login checks the password through the same sign-in flow as every other door (lockout, messages).
admin.site.login_form = AdminSignInForm
