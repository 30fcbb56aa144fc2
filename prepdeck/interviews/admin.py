"""Read-only admin for live interviews: every change goes through the services (the event log, the row
lock on sequence numbers, frozen scorecards), so the admin shows but never writes."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from prepdeck.interviews.models import InterviewSession, Invite, Kit, KitItem, Scorecard, SessionEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class KitItemInline(admin.TabularInline):
    model = KitItem
    fields = ("order", "question", "custom_prompt", "suggested_minutes")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Kit)
class KitAdmin(ReadOnlyAdmin):
    list_display = ("title", "owner", "updated_at")
    list_select_related = ("owner",)
    search_fields = ("title",)
    inlines = (KitItemInline,)


@admin.register(InterviewSession)
class InterviewSessionAdmin(ReadOnlyAdmin):
    list_display = ("candidate_name", "kit_title", "scheduled_at", "state", "last_seq")
    list_filter = ("state",)
    search_fields = ("candidate_name", "kit_title")
    exclude = ("interviewers",)


@admin.register(SessionEvent)
class SessionEventAdmin(ReadOnlyAdmin):
    list_display = ("session", "seq", "kind", "audience", "actor_role", "created_at")
    list_select_related = ("session",)
    list_filter = ("kind",)


@admin.register(Invite)
class InviteAdmin(ReadOnlyAdmin):
    list_display = ("session", "expires_at", "used_at")
    list_select_related = ("session",)
    exclude = ("token_hash",)


@admin.register(Scorecard)
class ScorecardAdmin(ReadOnlyAdmin):
    list_display = ("session", "interviewer", "recommendation", "submitted_at")
    list_select_related = ("session", "interviewer")
