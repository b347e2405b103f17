"""Login sessions in Django's admin: see them, and revoke the selected ones."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from drf_paseto import revocation
from drf_paseto.models import LoginSession, SubjectCutoff


@admin.register(LoginSession)
class LoginSessionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = (
        "id",
        "user",
        "created_at",
        "last_used_at",
        "expires_at",
        "ip",
        "revoked_at",
        "revoked_reason",
    )
    list_filter = ("revoked_reason",)
    search_fields = ("id", "subject", "ip")
    date_hierarchy = "created_at"
    raw_id_fields = ("user",)
    actions = ("revoke_sessions",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [field.name for field in LoginSession._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Sessions come from logins, never typed by hand.
        return False

    @admin.action(description=_("Revoke the selected sessions"), permissions=["change"])
    def revoke_sessions(self, request: HttpRequest, queryset: QuerySet[LoginSession]) -> None:
        live = list(queryset.filter(revoked_at__isnull=True).values_list("id", "subject"))
        for session_id, subject in live:
            revocation.revoke_session(session_id, subject, reason="admin", request=request)
        self.message_user(
            request,
            ngettext("%d session revoked.", "%d sessions revoked.", len(live)) % len(live),
            messages.SUCCESS,
        )


@admin.register(SubjectCutoff)
class SubjectCutoffAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("subject", "cutoff", "reason")
    search_fields = ("subject",)
    readonly_fields = ("subject", "cutoff", "reason")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
