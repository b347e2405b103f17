"""Login sessions in Django's admin: see them, revoke the selected ones, and delete them (a
delete revokes first, as the revoke action does)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from drf_paseto import revocation
from drf_paseto.models import LoginSession, SubjectCutoff

__all__ = [
    "LoginSessionAdmin",
    "SubjectCutoffAdmin",
]


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
        revoked = self.revoke(request, queryset)
        self.message_user(
            request,
            ngettext("%d session revoked.", "%d sessions revoked.", revoked) % revoked,
            messages.SUCCESS,
        )

    @staticmethod
    def revoke(request: HttpRequest, queryset: QuerySet[LoginSession]) -> int:
        """Revoke the live sessions of ``queryset`` as a logout does (the store's copies,
        ``session_revoked``, WebSockets); how many there were."""
        live = list(queryset.filter(revoked_at__isnull=True).values_list("id", "subject"))
        for session_id, subject in live:
            revocation.revoke_session(session_id, subject, reason="admin", request=request)
        return len(live)

    def delete_model(self, request: HttpRequest, obj: LoginSession) -> None:
        # A row deleted alone would leave the Redis or cache copy saying "live".
        self.revoke(request, LoginSession.objects.filter(pk=obj.pk))
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[LoginSession]) -> None:
        self.revoke(request, queryset)
        super().delete_queryset(request, queryset)


@admin.register(SubjectCutoff)
class SubjectCutoffAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("subject", "cutoff", "reason")
    search_fields = ("subject",)
    readonly_fields = ("subject", "cutoff", "reason")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
