"""drf_paseto/admin.py: the denylist's admin pages render, and entries cannot be added."""

from __future__ import annotations

from datetime import datetime, timezone

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import RequestFactory, TestCase, override_settings
from django.urls import include, path, reverse

from drf_paseto.admin import DenylistEntryAdmin
from drf_paseto.models import DenylistEntry

# tests/urls.py has no admin: this module is the URLconf of these tests.
urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("tests.urls")),
]

LATER = datetime(2040, 1, 1, tzinfo=timezone.utc)


@override_settings(ROOT_URLCONF=__name__)
class DenylistAdminTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.superuser = get_user_model().objects.create_superuser(
            "admin", "admin@example.com", "admin-password-123"
        )
        DenylistEntry.objects.create(
            key="user:42", kind="user", subject="42", cutoff=LATER, expires_at=LATER
        )
        DenylistEntry.objects.create(key="sid:abcdef", kind="sid", subject="7", expires_at=LATER)

    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.superuser)

    def test_registered(self) -> None:
        self.assertIsInstance(admin.site._registry[DenylistEntry], DenylistEntryAdmin)

    def test_changelist(self) -> None:
        response = self.client.get(reverse("admin:drf_paseto_denylistentry_changelist"))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "user:42")
        self.assertContains(response, "sid:abcdef")
        self.assertNotContains(response, "/admin/drf_paseto/denylistentry/add/")

    def test_search_by_key_and_subject(self) -> None:
        url = reverse("admin:drf_paseto_denylistentry_changelist")
        response = self.client.get(url, {"q": "abcdef"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "sid:abcdef")
        self.assertNotContains(response, "user:42")
        response = self.client.get(url, {"q": "42"})
        self.assertContains(response, "user:42")
        self.assertNotContains(response, "sid:abcdef")

    def test_filter_by_kind_and_date_hierarchy(self) -> None:
        url = reverse("admin:drf_paseto_denylistentry_changelist")
        response = self.client.get(url, {"kind__exact": "sid"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "sid:abcdef")
        self.assertNotContains(response, "user:42")
        entry = DenylistEntry.objects.get(key="sid:abcdef")
        response = self.client.get(url, {"created_at__year": entry.created_at.year})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "sid:abcdef")

    def test_change_page_is_read_only(self) -> None:
        url = reverse("admin:drf_paseto_denylistentry_change", args=["user:42"])
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "user:42")
        self.assertNotContains(response, 'name="key"')
        self.assertNotContains(response, 'name="cutoff')

    def test_add_is_refused(self) -> None:
        response = self.client.get(reverse("admin:drf_paseto_denylistentry_add"))
        self.assertEqual(response.status_code, 403)
        response = self.client.post(
            reverse("admin:drf_paseto_denylistentry_add"),
            {"key": "jti:x", "kind": "jti", "expires_at_0": "2040-01-01", "expires_at_1": "0:0"},
        )
        self.assertEqual(response.status_code, 403)
        self.assertFalse(DenylistEntry.objects.filter(key="jti:x").exists())
        request = RequestFactory().get("/")
        request.user = self.superuser
        self.assertFalse(admin.site._registry[DenylistEntry].has_add_permission(request))

    def test_delete_is_allowed(self) -> None:
        url = reverse("admin:drf_paseto_denylistentry_delete", args=["sid:abcdef"])
        response = self.client.post(url, {"post": "yes"})
        self.assertEqual(response.status_code, 302)
        self.assertFalse(DenylistEntry.objects.filter(key="sid:abcdef").exists())

    def test_anonymous_is_sent_to_login(self) -> None:
        self.client.logout()
        response = self.client.get(reverse("admin:drf_paseto_denylistentry_changelist"))
        self.assertEqual(response.status_code, 302)
        self.assertIn("/admin/login/", response["Location"])
