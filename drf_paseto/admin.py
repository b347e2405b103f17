from __future__ import annotations

from django.contrib import admin

from drf_paseto.models import DenylistEntry


@admin.register(DenylistEntry)
class DenylistEntryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("key", "kind", "subject", "cutoff", "expires_at", "created_at")
    list_filter = ("kind",)
    search_fields = ("key", "subject")
    date_hierarchy = "created_at"
    readonly_fields = ("key", "kind", "subject", "cutoff", "expires_at", "created_at")

    def has_add_permission(self, request: object) -> bool:
        # Entries come from logout, rotation and password changes, never typed by hand.
        return False
