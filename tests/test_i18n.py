"""Translations: the shipped locales (drf_paseto/locale/) and the language of error responses.

Messages follow the request's language (``LocaleMiddleware``, ``Accept-Language``); the
``code`` never does. The .po files are checked complete (no empty, no fuzzy entry) and the
committed .mo files checked to hold what the .po files say.
"""

from __future__ import annotations

import ast
import gettext
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any
from unittest import mock

from django.apps import apps
from django.conf import settings
from django.test import SimpleTestCase, override_settings
from django.utils import translation
from rest_framework import status

from drf_paseto import exceptions as paseto_exceptions
from drf_paseto.admin import LoginSessionAdmin
from drf_paseto.clock import current_time
from drf_paseto.models import LoginSession, SubjectCutoff
from tests.helpers import LOGIN_URL, REFRESH_URL, TokenAPITestCase, error_codes

LOCALE_DIR = Path(apps.get_app_config("drf_paseto").path) / "locale"
SHIPPED_LANGUAGES = ("fr", "de")

_MIDDLEWARE = list(settings.MIDDLEWARE)
_MIDDLEWARE.insert(
    _MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware") + 1,
    "django.middleware.locale.LocaleMiddleware",
)
i18n_settings = override_settings(
    MIDDLEWARE=_MIDDLEWARE,
    LANGUAGES=[("en", "English"), ("fr", "French"), ("de", "German")],
)


# --- a small .po reader (no polib: no new dependency) ---------------------------------------


class PoEntry:
    def __init__(self) -> None:
        self.flags: set[str] = set()
        self.fields: dict[str, str] = {}

    @property
    def msgid(self) -> str:
        return self.fields.get("msgid", "")

    @property
    def msgctxt(self) -> str | None:
        return self.fields.get("msgctxt")

    @property
    def msgstrs(self) -> list[str]:
        return [v for k, v in sorted(self.fields.items()) if k.startswith("msgstr")]

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags


def read_po(path: Path) -> list[PoEntry]:
    """Every entry of a .po file, the header included (its msgid is ``""``)."""
    entries: list[PoEntry] = []
    entry = PoEntry()
    field: str | None = None

    def close() -> None:
        nonlocal entry, field
        if entry.fields:
            entries.append(entry)
        entry, field = PoEntry(), None

    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line:
            close()
        elif line.startswith("#~"):
            continue  # an obsolete entry: msgfmt ignores it
        elif line.startswith("#,"):
            if entry.fields:
                close()
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            if entry.fields:
                close()
        elif line.startswith('"'):
            if field is None:
                raise ValueError(f"{path}:{number}: a string continues no field")
            entry.fields[field] += ast.literal_eval(line)
        else:
            keyword, _, value = line.partition(" ")
            if keyword in entry.fields or (keyword == "msgctxt" and entry.fields):
                close()
            field = keyword
            entry.fields[field] = ast.literal_eval(value)
    close()
    return entries


def po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / "django.po"


def mo_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / "django.mo"


def po_messages(language: str) -> dict[str, PoEntry]:
    """The messages of a .po file by msgid, the header left out."""
    return {e.msgid: e for e in read_po(po_path(language)) if e.msgid}


def error_messages() -> dict[str, Any]:
    """The message of every code the package's own errors say."""
    return {code: message for code, (_, message) in error_codes().items()}


def english(message: Any) -> str:
    with translation.override("en"):
        return str(message)


# --- the files ------------------------------------------------------------------------------


class LocaleFileTests(SimpleTestCase):
    def test_the_languages_ship_with_po_and_mo_files(self) -> None:
        for language in SHIPPED_LANGUAGES:
            with self.subTest(language=language):
                self.assertTrue(po_path(language).is_file())
                self.assertTrue(mo_path(language).is_file())

    def test_po_header(self) -> None:
        for language in SHIPPED_LANGUAGES:
            with self.subTest(language=language):
                header = [e for e in read_po(po_path(language)) if not e.msgid]
                self.assertEqual(len(header), 1)
                self.assertFalse(header[0].fuzzy)
                self.assertIn(f"Language: {language}\n", header[0].msgstrs[0])
                self.assertIn("charset=UTF-8", header[0].msgstrs[0])

    def test_every_message_is_translated_and_none_is_fuzzy(self) -> None:
        for language in SHIPPED_LANGUAGES:
            messages = po_messages(language)
            self.assertGreater(len(messages), 30)
            for msgid, entry in messages.items():
                with self.subTest(language=language, msgid=msgid):
                    self.assertFalse(entry.fuzzy)
                    self.assertTrue(entry.msgstrs)
                    self.assertTrue(all(s.strip() for s in entry.msgstrs))

    def test_the_languages_translate_the_same_messages(self) -> None:
        self.assertEqual(set(po_messages("fr")), set(po_messages("de")))

    def test_every_error_message_is_in_the_catalogs(self) -> None:
        # A message added to the code without `makemessages` would go out in English.
        wanted = {english(message) for message in error_messages().values()}
        wanted.add("Invalid request.")
        wanted.add(english(apps.get_app_config("drf_paseto").verbose_name))
        for language in SHIPPED_LANGUAGES:
            with self.subTest(language=language):
                self.assertLessEqual(wanted, set(po_messages(language)))

    def test_every_model_and_admin_text_is_in_the_catalogs(self) -> None:
        # What the admin shows: model names, field names, the reasons, the revoke action.
        wanted: set[str] = set()
        for model in (LoginSession, SubjectCutoff):
            wanted.add(english(model._meta.verbose_name))
            wanted.add(english(model._meta.verbose_name_plural))
            wanted.update(english(field.verbose_name) for field in model._meta.fields)
        wanted.update(english(label) for label in LoginSession.Reason.labels)
        wanted.add(english(LoginSessionAdmin.revoke_sessions.short_description))
        wanted.add("%d session revoked.")
        self.assertEqual(len(LoginSession.Reason.labels), 8)
        for language in SHIPPED_LANGUAGES:
            messages = po_messages(language)
            with self.subTest(language=language):
                self.assertLessEqual(wanted, set(messages))
                self.assertEqual(
                    messages["%d session revoked."].fields.get("msgid_plural"),
                    "%d sessions revoked.",
                )

    def test_no_obsolete_denylist_messages(self) -> None:
        # The DenylistEntry model is gone: its messages left the catalogs with it.
        for language in SHIPPED_LANGUAGES:
            with self.subTest(language=language):
                text = po_path(language).read_text(encoding="utf-8")
                self.assertNotIn("denylist entr", text)
                self.assertNotIn("#~", text)

    def test_mo_files_hold_what_the_po_files_say(self) -> None:
        # A .po edited without `compilemessages` leaves a stale .mo: Django reads the .mo only.
        for language in SHIPPED_LANGUAGES:
            with mo_path(language).open("rb") as mo:
                catalog = gettext.GNUTranslations(mo)
            for msgid, entry in po_messages(language).items():
                with self.subTest(language=language, msgid=msgid):
                    plural = entry.fields.get("msgid_plural")
                    if plural:  # gettext() of a plural entry differs between Pythons
                        self.assertEqual(catalog.ngettext(msgid, plural, 1), entry.msgstrs[0])
                    else:
                        self.assertEqual(catalog.gettext(msgid), entry.msgstrs[0])
            self.assertEqual(catalog.info().get("language"), language)

    def test_reader_sees_fuzzy_and_empty_entries(self) -> None:
        # The checks above are only as good as the reader: it must see what they look for.
        path = self.temporary_po_path()
        path.write_text(
            'msgid ""\nmsgstr "Language: fr\\n"\n\n'
            '#: a.py:1\n#, fuzzy\nmsgid "One."\nmsgstr "Un."\n\n'
            'msgid "Two "\n"lines."\nmsgstr ""\n\n'
            '#~ msgid "Old."\n#~ msgstr "Vieux."\n',
            encoding="utf-8",
        )
        entries = {e.msgid: e for e in read_po(path)}
        self.assertEqual(set(entries), {"", "One.", "Two lines."})
        self.assertTrue(entries["One."].fuzzy)
        self.assertEqual(entries["One."].msgstrs, ["Un."])
        self.assertFalse(entries["Two lines."].fuzzy)
        self.assertEqual(entries["Two lines."].msgstrs, [""])

    def temporary_po_path(self) -> Path:
        directory = tempfile.TemporaryDirectory()
        self.addCleanup(directory.cleanup)
        return Path(directory.name) / "django.po"


class MessageTranslationTests(SimpleTestCase):
    """Django finds the app's catalogs: the lazy messages follow the active language."""

    def test_every_token_error_message_is_translated(self) -> None:
        for language in SHIPPED_LANGUAGES:
            for code, message in error_messages().items():
                with self.subTest(language=language, code=code):
                    with translation.override(language):
                        translated = str(message)
                    self.assertTrue(translated)
                    self.assertNotEqual(translated, english(message))

    def test_examples(self) -> None:
        message = paseto_exceptions.TokenError.messages["token_expired"]
        with translation.override("fr"):
            self.assertEqual(str(message), "Le jeton a expiré.")
        with translation.override("de"):
            self.assertEqual(str(message), "Das Token ist abgelaufen.")
        self.assertEqual(english(message), "Token has expired.")

    def test_model_names(self) -> None:
        with translation.override("fr"):
            self.assertEqual(
                str(apps.get_app_config("drf_paseto").verbose_name), "Authentification PASETO"
            )
            self.assertEqual(str(LoginSession._meta.verbose_name), "session de connexion")
            self.assertEqual(
                str(SubjectCutoff._meta.verbose_name_plural), "seuils de révocation des sujets"
            )
        with translation.override("de"):
            self.assertEqual(str(LoginSession._meta.verbose_name_plural), "Anmeldesitzungen")
            self.assertEqual(str(LoginSession._meta.get_field("ip").verbose_name), "IP-Adresse")

    def test_reason_labels(self) -> None:
        reason = LoginSession.Reason.ADMIN
        with translation.override("fr"):
            self.assertEqual(str(reason.label), "terminée par un administrateur")
        with translation.override("de"):
            self.assertEqual(str(reason.label), "von einem Administrator beendet")
        self.assertEqual(english(reason.label), "ended by an administrator")
        for language in SHIPPED_LANGUAGES:
            for label in LoginSession.Reason.labels:
                with (
                    self.subTest(language=language, label=english(label)),
                    translation.override(language),
                ):
                    self.assertNotEqual(str(label), english(label))

    def test_revoke_action_and_its_message(self) -> None:
        description = LoginSessionAdmin.revoke_sessions.short_description
        with translation.override("fr"):
            self.assertEqual(str(description), "Révoquer les sessions sélectionnées")
            self.assertEqual(
                translation.ngettext("%d session revoked.", "%d sessions revoked.", 2) % 2,
                "2 sessions révoquées.",
            )
        with translation.override("de"):
            self.assertEqual(str(description), "Ausgewählte Sitzungen widerrufen")
            self.assertEqual(
                translation.ngettext("%d session revoked.", "%d sessions revoked.", 1) % 1,
                "1 Sitzung widerrufen.",
            )


# --- responses ------------------------------------------------------------------------------


@i18n_settings
class ResponseLanguageTests(TokenAPITestCase):
    """Real error responses, in the language the request asks for; the code unchanged."""

    def setUp(self) -> None:
        super().setUp()
        # LocaleMiddleware activates the request's language and leaves it active in this
        # thread: put back whatever was active before, for the tests that run next.
        override = translation.override(None)
        override.__enter__()
        self.addCleanup(override.__exit__, None, None, None)

    def assertTranslatedError(
        self, response: Any, status_code: int, code: str, detail: str, language: str
    ) -> None:
        self.assertEqual(response.status_code, status_code, response.content)
        self.assertEqual(response.json(), {"detail": detail, "code": code})
        self.assertEqual(response["Content-Language"], language)
        self.assertIn("Accept-Language", response["Vary"])
        self.assertNoSecrets(response)

    def test_garbage_token_in_french(self) -> None:
        response = self.get_with("/protected/", "v4.local.garbage", HTTP_ACCEPT_LANGUAGE="fr")
        self.assertTranslatedError(response, 401, "token_invalid", "Le jeton est invalide.", "fr")
        self.assertEqual(response["WWW-Authenticate"], 'Bearer realm="api"')

    def test_expired_token_in_french_and_german(self) -> None:
        with mock.patch(
            "drf_paseto.clock.current_time", return_value=current_time() - timedelta(hours=1)
        ):
            access = self.login()["access_token"]
        for language, detail in (("fr", "Le jeton a expiré."), ("de", "Das Token ist abgelaufen.")):
            with self.subTest(language=language):
                response = self.get_with("/protected/", access, HTTP_ACCEPT_LANGUAGE=language)
                self.assertTranslatedError(response, 401, "token_expired", detail, language)

    def test_bad_credentials_in_german(self) -> None:
        response = self.client.post(
            LOGIN_URL,
            {"username": "alice", "password": "wrong"},
            format="json",
            HTTP_ACCEPT_LANGUAGE="de",
        )
        self.assertTranslatedError(
            response,
            401,
            "invalid_credentials",
            "Kein aktives Konto mit diesen Zugangsdaten gefunden.",
            "de",
        )

    def test_token_not_fresh_in_french_and_german(self) -> None:
        access = self.refresh(self.login()["refresh_token"])  # a refreshed token is not fresh
        expected = {
            "fr": "Un jeton récent est requis : reconnectez-vous avec vos identifiants.",
            "de": "Ein frisches Token ist erforderlich: "
            "Melden Sie sich erneut mit Ihren Zugangsdaten an.",
        }
        for language, detail in expected.items():
            with self.subTest(language=language):
                response = self.get_with("/fresh/", access, HTTP_ACCEPT_LANGUAGE=language)
                self.assertTranslatedError(response, 403, "token_not_fresh", detail, language)

    def test_wrong_token_type_in_german(self) -> None:
        refresh = self.login()["refresh_token"]
        response = self.get_with("/protected/", refresh, HTTP_ACCEPT_LANGUAGE="de")
        self.assertTranslatedError(
            response,
            401,
            "token_wrong_type",
            "Das Token hat den falschen Typ für diesen Endpunkt.",
            "de",
        )

    def test_invalid_request_in_french(self) -> None:
        response = self.client.post(LOGIN_URL, {}, format="json", HTTP_ACCEPT_LANGUAGE="fr")
        self.assertEqual(response.status_code, status.HTTP_400_BAD_REQUEST, response.content)
        body = response.json()
        self.assertEqual(body["detail"], "Requête invalide.")
        self.assertEqual(body["code"], "invalid_request")
        self.assertEqual(set(body["errors"]), {"username", "password"})

    def test_refresh_without_a_token_keeps_its_code(self) -> None:
        # DRF's own message, translated by DRF; drf_paseto's code beside it.
        response = self.client.post(REFRESH_URL, HTTP_ACCEPT_LANGUAGE="fr")
        self.assertEqual(response.status_code, status.HTTP_401_UNAUTHORIZED, response.content)
        self.assertEqual(response.json()["code"], "not_authenticated")
        self.assertEqual(response["Content-Language"], "fr")

    def test_regional_variant_and_quality_values(self) -> None:
        response = self.get_with(
            "/protected/", "v4.local.garbage", HTTP_ACCEPT_LANGUAGE="de-CH, fr;q=0.5, en;q=0.1"
        )
        self.assertTranslatedError(response, 401, "token_invalid", "Das Token ist ungültig.", "de")

    def test_english_stays_english(self) -> None:
        for header in ({}, {"HTTP_ACCEPT_LANGUAGE": "en"}, {"HTTP_ACCEPT_LANGUAGE": "pt-BR"}):
            with self.subTest(header=header):
                response = self.get_with("/protected/", "v4.local.garbage", **header)
                self.assertTranslatedError(
                    response, 401, "token_invalid", "Token is invalid.", "en"
                )

    def test_the_language_does_not_leak_into_the_next_request(self) -> None:
        self.get_with("/protected/", "v4.local.garbage", HTTP_ACCEPT_LANGUAGE="fr")
        response = self.get_with("/protected/", "v4.local.garbage")
        self.assertEqual(response.json()["detail"], "Token is invalid.")

    def test_success_is_unaffected(self) -> None:
        access = self.login()["access_token"]
        response = self.get_with("/protected/", access, HTTP_ACCEPT_LANGUAGE="de")
        self.assertUser(response)
