"""drf_paseto/admin.py: login sessions in the admin (read-only, a revoke action, deletes that
revoke first), and cutoffs."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import RequestFactory, override_settings
from django.urls import include, path, reverse

from drf_paseto import signals
from drf_paseto.admin import LoginSessionAdmin, SubjectCutoffAdmin
from drf_paseto.models import LoginSession, SubjectCutoff
from drf_paseto.tokens import AccessToken
from tests.helpers import (
    DatabaseLeg,
    LocMemCacheLeg,
    RedisCacheLeg,
    RedisLeg,
    TokenAPITestCase,
    paseto_settings,
)

# tests/urls.py has no admin: this module is the URLconf of these tests (the admin, and the
# suite's own URLs for the requests made with a session's tokens).
urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("tests.urls")),
]

CHANGELIST_URL = "/admin/drf_paseto/loginsession/"
CUTOFF_CHANGELIST_URL = "/admin/drf_paseto/subjectcutoff/"
PROTECTED_URL = "/protected/"
EARLIER = datetime(2030, 1, 1, tzinfo=timezone.utc)
LATER = datetime(2040, 1, 1, tzinfo=timezone.utc)


@override_settings(ROOT_URLCONF=__name__)
class AdminTestCase(TokenAPITestCase):
    """A superuser logged in to the admin, with revocation on."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.superuser = get_user_model().objects.create_superuser(
            "admin", "admin@example.com", "admin-password-123"
        )

    def setUp(self) -> None:
        super().setUp()
        override = paseto_settings(DENYLIST_ENABLED=True)
        override.enable()
        self.addCleanup(override.disable)
        self.client.force_login(self.superuser)

    def add_permission_of(self, model: Any) -> bool:
        request = RequestFactory().get("/")
        request.user = self.superuser
        allowed: bool = admin.site._registry[model].has_add_permission(request)
        return allowed


class LoginSessionAdminTests(AdminTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.tokens = self.login()
        self.session = LoginSession.objects.get(
            pk=AccessToken(self.tokens["access_token"]).session_id
        )

    def revoke(self, *session_ids: str) -> Any:
        return self.client.post(
            CHANGELIST_URL,
            {"action": "revoke_sessions", "_selected_action": list(session_ids)},
            format="multipart",
            follow=True,
        )

    def test_registered(self) -> None:
        self.assertIsInstance(admin.site._registry[LoginSession], LoginSessionAdmin)
        self.assertEqual(reverse("admin:drf_paseto_loginsession_changelist"), CHANGELIST_URL)

    def test_changelist(self) -> None:
        response = self.client.get(CHANGELIST_URL)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, self.session.pk)
        self.assertContains(response, "Revoke the selected sessions")
        self.assertNotContains(response, CHANGELIST_URL + "add/")

    def test_search_and_filter(self) -> None:
        other = self.login()
        other_id = AccessToken(other["access_token"]).session_id
        LoginSession.objects.filter(pk=other_id).update(
            revoked_at=LATER, revoked_reason="logout", ip="198.51.100.7"
        )
        response = self.client.get(CHANGELIST_URL, {"q": self.session.pk})
        self.assertContains(response, self.session.pk)
        self.assertNotContains(response, other_id)
        response = self.client.get(CHANGELIST_URL, {"q": "198.51.100.7"})
        self.assertContains(response, other_id)
        self.assertNotContains(response, self.session.pk)
        response = self.client.get(CHANGELIST_URL, {"revoked_reason__exact": "logout"})
        self.assertContains(response, other_id)
        self.assertNotContains(response, self.session.pk)
        response = self.client.get(
            CHANGELIST_URL, {"created_at__year": self.session.created_at.year}
        )
        self.assertContains(response, self.session.pk)

    def test_change_page_is_read_only(self) -> None:
        url = reverse("admin:drf_paseto_loginsession_change", args=[self.session.pk])
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, self.session.pk)
        for field in LoginSession._meta.fields:
            self.assertNotContains(response, f'name="{field.name}"')
        response = self.client.post(url, {"revoked_reason": "admin", "subject": "someone"})
        self.session.refresh_from_db()
        self.assertIsNone(self.session.revoked_at)
        self.assertEqual(self.session.subject, str(self.user.pk))

    def test_add_is_refused(self) -> None:
        self.assertFalse(self.add_permission_of(LoginSession))
        url = reverse("admin:drf_paseto_loginsession_add")
        self.assertEqual(self.client.get(url).status_code, 403)
        response = self.client.post(url, {"id": "typed-by-hand", "subject": "1"})
        self.assertEqual(response.status_code, 403)
        self.assertFalse(LoginSession.objects.filter(pk="typed-by-hand").exists())

    def test_revoke_action(self) -> None:
        self.assertUser(self.get_with(PROTECTED_URL, self.tokens["access_token"]))
        kept = self.login()
        revoked: list[dict[str, Any]] = []

        def receiver(**kwargs: Any) -> None:
            revoked.append(kwargs)

        signals.token_revoked.connect(receiver)
        self.addCleanup(signals.token_revoked.disconnect, receiver)
        response = self.revoke(self.session.pk)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "1 session revoked.")
        self.session.refresh_from_db()
        self.assertTrue(self.session.is_revoked)
        self.assertEqual(self.session.revoked_reason, LoginSession.Reason.ADMIN)
        self.assertEqual(
            [(r["session_id"], r["scope"], r["reason"]) for r in revoked],
            [(self.session.pk, "session", "admin")],
        )
        # Its tokens are refused from then on; the user's other session is not touched.
        self.assertError(
            self.get_with(PROTECTED_URL, self.tokens["access_token"]), 401, "token_revoked"
        )
        self.assertError(
            self.client.post("/auth/refresh/", **self.bearer(self.tokens["refresh_token"])),
            401,
            "token_revoked",
        )
        self.assertUser(self.get_with(PROTECTED_URL, kept["access_token"]))

    def test_revoke_action_leaves_revoked_sessions_untouched(self) -> None:
        live = self.login()
        live_id = AccessToken(live["access_token"]).session_id
        LoginSession.objects.filter(pk=self.session.pk).update(
            revoked_at=EARLIER, revoked_reason="logout"
        )
        response = self.revoke(self.session.pk, live_id)
        self.assertContains(response, "1 session revoked.")
        self.session.refresh_from_db()
        self.assertEqual(
            (self.session.revoked_at, self.session.revoked_reason), (EARLIER, "logout")
        )
        self.assertEqual(LoginSession.objects.get(pk=live_id).revoked_reason, "admin")
        self.assertError(self.get_with(PROTECTED_URL, live["access_token"]), 401, "token_revoked")

    def test_revoke_action_message_counts(self) -> None:
        second = AccessToken(self.login()["access_token"]).session_id
        response = self.revoke(self.session.pk, second)
        self.assertContains(response, "2 sessions revoked.")
        response = self.revoke(self.session.pk, second)
        self.assertContains(response, "0 sessions revoked.")
        self.assertEqual(
            set(LoginSession.objects.values_list("revoked_reason", flat=True)), {"admin"}
        )

    def test_revoke_action_needs_the_change_permission(self) -> None:
        staff = get_user_model().objects.create_user(
            "staff", password="staff-password-123", is_staff=True
        )
        staff.user_permissions.add(
            *Permission.objects.filter(
                codename="view_loginsession", content_type__app_label="drf_paseto"
            )
        )
        self.client.force_login(staff)
        response = self.client.get(CHANGELIST_URL)
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, "Revoke the selected sessions")
        self.revoke(self.session.pk)
        self.session.refresh_from_db()
        self.assertFalse(self.session.is_revoked)

    def test_anonymous_is_sent_to_login(self) -> None:
        self.client.logout()
        response = self.client.get(CHANGELIST_URL)
        self.assertEqual(response.status_code, 302)
        self.assertIn("/admin/login/", response["Location"])


class SubjectCutoffAdminTests(AdminTestCase):
    def setUp(self) -> None:
        super().setUp()
        SubjectCutoff.objects.create(subject="42", cutoff=LATER, reason="logout_all")

    def test_registered(self) -> None:
        self.assertIsInstance(admin.site._registry[SubjectCutoff], SubjectCutoffAdmin)

    def test_changelist(self) -> None:
        response = self.client.get(CUTOFF_CHANGELIST_URL)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "logout everywhere")
        self.assertNotContains(response, CUTOFF_CHANGELIST_URL + "add/")

    def test_change_page_is_read_only(self) -> None:
        response = self.client.get(reverse("admin:drf_paseto_subjectcutoff_change", args=["42"]))
        self.assertEqual(response.status_code, 200)
        for name in ("subject", "cutoff", "reason"):
            self.assertNotContains(response, f'name="{name}')

    def test_add_is_refused(self) -> None:
        self.assertFalse(self.add_permission_of(SubjectCutoff))
        response = self.client.get(reverse("admin:drf_paseto_subjectcutoff_add"))
        self.assertEqual(response.status_code, 403)


class AdminDeleteRevokes:
    """Hardening #13: deleting a session in the admin ends it as the revoke action does, on
    every store: a warm Redis or cache copy must not keep its tokens alive, and
    ``session_revoked`` (which closes its WebSockets) is sent."""

    def setUp(self) -> None:
        super().setUp()  # type: ignore[misc]
        self.ended: list[tuple[str, str]] = []

        def receiver(session_id: str, reason: str, **kwargs: Any) -> None:
            self.ended.append((session_id, reason))

        signals.session_revoked.connect(receiver)
        self.addCleanup(signals.session_revoked.disconnect, receiver)  # type: ignore[attr-defined]

    def warm_session(self) -> tuple[dict[str, str], str]:
        """A login whose copy is warm (one accepted request)."""
        tokens = self.login()  # type: ignore[attr-defined]
        self.assertUser(self.get_with(PROTECTED_URL, tokens["access_token"]))  # type: ignore[attr-defined]
        return tokens, AccessToken(tokens["access_token"]).session_id

    def assertEnded(self, tokens: dict[str, str], session_id: str) -> None:
        self.assertFalse(LoginSession.objects.filter(pk=session_id).exists())  # type: ignore[attr-defined]
        response = self.get_with(PROTECTED_URL, tokens["access_token"])  # type: ignore[attr-defined]
        self.assertError(response, 401, "token_revoked")  # type: ignore[attr-defined]
        self.assertIn((session_id, "admin"), self.ended)  # type: ignore[attr-defined]

    def test_the_change_pages_delete_ends_the_session(self) -> None:
        tokens, session_id = self.warm_session()
        kept, _ = self.warm_session()
        url = reverse("admin:drf_paseto_loginsession_delete", args=[session_id])
        response = self.client.post(url, {"post": "yes"}, follow=True)  # type: ignore[attr-defined]
        self.assertEqual(response.status_code, 200)  # type: ignore[attr-defined]
        self.assertEnded(tokens, session_id)
        self.assertUser(self.get_with(PROTECTED_URL, kept["access_token"]))  # type: ignore[attr-defined]

    def test_the_bulk_delete_ends_the_sessions(self) -> None:
        first, first_id = self.warm_session()
        second, second_id = self.warm_session()
        response = self.client.post(  # type: ignore[attr-defined]
            CHANGELIST_URL,
            {"action": "delete_selected", "_selected_action": [first_id, second_id], "post": "yes"},
            follow=True,
        )
        self.assertEqual(response.status_code, 200)  # type: ignore[attr-defined]
        self.assertEnded(first, first_id)
        self.assertEnded(second, second_id)


class DatabaseAdminDeleteTests(AdminDeleteRevokes, DatabaseLeg, AdminTestCase):
    pass


class LocMemCacheAdminDeleteTests(AdminDeleteRevokes, LocMemCacheLeg, AdminTestCase):
    pass


class RedisCacheAdminDeleteTests(AdminDeleteRevokes, RedisCacheLeg, AdminTestCase):
    pass


class RedisAdminDeleteTests(AdminDeleteRevokes, RedisLeg, AdminTestCase):
    pass
