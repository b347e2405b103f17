"""drf_paseto.clock: the one clock, the leeway and the lifetimes every layer reads."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from unittest import mock

from django.core.exceptions import ImproperlyConfigured
from django.test import SimpleTestCase, override_settings

from drf_paseto import clock, keyset
from drf_paseto.clock import _UNLIMITED_LIFETIME, _as_leeway, _as_lifetime
from drf_paseto.tokens import AccessToken
from tests.helpers import local

MOMENT = datetime(2031, 5, 6, 7, 8, 9, tzinfo=timezone.utc)


class ClockTests(SimpleTestCase):
    def test_now_is_utc_with_microseconds(self) -> None:
        now = clock.current_time()
        self.assertEqual(now.utcoffset(), timedelta(0))
        self.assertLess(abs(now - datetime.now(timezone.utc)), timedelta(seconds=5))

    def test_moving_the_clock_moves_every_layer(self) -> None:
        with mock.patch("drf_paseto.clock.current_time", return_value=MOMENT):
            token = AccessToken.for_subject("7")
            self.assertEqual(token.issued_at, MOMENT)
            self.assertEqual(keyset._now(), MOMENT.timestamp())

    def test_as_lifetime_and_as_leeway(self) -> None:
        self.assertEqual(_as_lifetime(90, "X"), timedelta(seconds=90))
        self.assertEqual(_as_lifetime(timedelta(days=1), "X"), timedelta(days=1))
        self.assertEqual(_as_lifetime(False, "X"), _UNLIMITED_LIFETIME)
        self.assertEqual(_as_leeway(0), timedelta(0))
        self.assertEqual(_as_leeway(10), timedelta(seconds=10))
        self.assertEqual(_as_leeway(timedelta(seconds=3)), timedelta(seconds=3))
        for bad in (-1, True, "10", 1.5, None, timedelta(seconds=-1)):
            with self.subTest(bad=bad), self.assertRaises(ImproperlyConfigured):
                _as_leeway(bad)

    def test_settings_are_read_when_used(self) -> None:
        with override_settings(
            DRF_PASETO=local(ACCESS_TOKEN_EXPIRES=60, REFRESH_TOKEN_EXPIRES=3600, DECODE_LEEWAY=5)
        ):
            self.assertEqual(clock._leeway(), timedelta(seconds=5))
            self.assertEqual(clock._lifetime("ACCESS_TOKEN_EXPIRES"), timedelta(minutes=1))
            self.assertEqual(clock._longest_lifetime(), timedelta(hours=1, seconds=5))
