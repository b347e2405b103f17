"""drf_paseto._encoding: strict JSON and RFC 3339 times."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from django.test import SimpleTestCase

from drf_paseto._encoding import dumps, format_time, loads_object, parse_time

UTC = timezone.utc


def nested_objects(depth: int) -> bytes:
    """``depth`` objects inside each other: {"a":{"a":...{"a":1}...}}."""
    return b'{"a":' * (depth - 1) + b'{"a":1}' + b"}" * (depth - 1)


def nested_lists(depth: int) -> bytes:
    """An object holding ``depth - 1`` lists inside each other."""
    return b'{"a":' + b"[" * (depth - 1) + b"1" + b"]" * (depth - 1) + b"}"


class DumpsTests(SimpleTestCase):
    def test_compact_utf8(self):
        self.assertEqual(dumps({"a": [1, 2], "b": None}), b'{"a":[1,2],"b":null}')
        self.assertEqual(dumps({"name": "Zoë ☃"}), '{"name":"Zoë ☃"}'.encode())
        self.assertEqual(dumps({"kid": "k4.lid.x"}), b'{"kid":"k4.lid.x"}')

    def test_refuses_nan_and_infinities(self):
        for value in (float("nan"), float("inf"), float("-inf")):
            with self.subTest(value=value), self.assertRaises(ValueError):
                dumps({"a": value})

    def test_refuses_lone_surrogates(self):
        # Not encodable as UTF-8: a ValueError (UnicodeEncodeError), never bytes.
        with self.assertRaises(ValueError):
            dumps({"a": "\ud800"})

    def test_round_trip(self):
        value = {"sub": "42", "aud": ["a", "b"], "n": 1.5, "ok": True, "nested": {"x": []}}
        self.assertEqual(loads_object(dumps(value), max_depth=3), value)


class LoadsObjectTests(SimpleTestCase):
    def test_valid_object(self):
        self.assertEqual(
            loads_object(b'{"a": 1, "b": [true, null, "x"], "c": {"d": 1.5}}', max_depth=2),
            {"a": 1, "b": [True, None, "x"], "c": {"d": 1.5}},
        )
        self.assertEqual(loads_object('{"é":"☃"}'.encode(), max_depth=1), {"é": "☃"})
        self.assertEqual(loads_object(b"{}", max_depth=1), {})

    def test_duplicate_keys(self):
        for data in (
            b'{"a":1,"a":2}',
            b'{"a":1,"a":1}',
            b'{"a":{"b":1,"b":2}}',
            b'{"a":[{"b":1,"b":1}]}',
            b'{"a":1,"\\u0061":2}',  # the same key, spelled differently
        ):
            with self.subTest(data=data), self.assertRaisesMessage(ValueError, "not a JSON object"):
                loads_object(data, max_depth=4)

    def test_nan_and_infinities(self):
        for constant in (b"NaN", b"Infinity", b"-Infinity"):
            with (
                self.subTest(constant=constant),
                self.assertRaisesMessage(ValueError, "not a JSON object"),
            ):
                loads_object(b'{"a":' + constant + b"}", max_depth=2)

    def test_not_utf8(self):
        for data in (
            b'{"a":"\xff"}',
            b'{"a":"\xc3"}',
            '{"a":"é"}'.encode("latin-1"),
            b"\xef\xbb\xbf{}",
        ):
            with self.subTest(data=data), self.assertRaisesMessage(ValueError, "not a JSON object"):
                loads_object(data, max_depth=2)

    def test_not_an_object(self):
        for data in (
            b"[]",
            b'"text"',
            b"1",
            b"null",
            b"true",
            b"",
            b" ",
            b"{",
            b'{"a":1}x',
            b"{'a':1}",
        ):
            with self.subTest(data=data), self.assertRaisesMessage(ValueError, "not a JSON object"):
                loads_object(data, max_depth=8)

    def test_huge_integer(self):
        with self.assertRaisesMessage(ValueError, "not a JSON object"):
            loads_object(b'{"a":' + b"9" * 5000 + b"}", max_depth=2)

    def test_depth_limit_for_objects(self):
        for limit in (1, 2, 8):
            with self.subTest(limit=limit):
                self.assertIsInstance(loads_object(nested_objects(limit), max_depth=limit), dict)
                with self.assertRaisesMessage(ValueError, "JSON nests too deep"):
                    loads_object(nested_objects(limit + 1), max_depth=limit)

    def test_depth_limit_for_lists(self):
        for limit in (2, 3, 8):
            with self.subTest(limit=limit):
                self.assertIsInstance(loads_object(nested_lists(limit), max_depth=limit), dict)
                with self.assertRaisesMessage(ValueError, "JSON nests too deep"):
                    loads_object(nested_lists(limit + 1), max_depth=limit)

    def test_scalars_do_not_count_towards_depth(self):
        # The top object is depth 1: its scalar values are fine at max_depth=1, a container is not.
        self.assertEqual(
            loads_object(b'{"a":1,"b":"x","c":null}', max_depth=1), {"a": 1, "b": "x", "c": None}
        )
        for data in (b'{"a":[]}', b'{"a":{}}', b'{"a":1,"b":[1]}'):
            with (
                self.subTest(data=data),
                self.assertRaisesMessage(ValueError, "JSON nests too deep"),
            ):
                loads_object(data, max_depth=1)

    def test_deepest_branch_counts(self):
        data = b'{"a":1,"b":{"c":[1,2,{"d":[]}]},"e":{}}'  # b -> c -> {d} -> [] is depth 5
        self.assertEqual(loads_object(data, max_depth=5)["e"], {})
        with self.assertRaisesMessage(ValueError, "JSON nests too deep"):
            loads_object(data, max_depth=4)

    def test_recursion_error_is_a_value_error(self):
        for data in (b"[" * 100_000 + b"]" * 100_000, b'{"a":' * 100_000 + b"1" + b"}" * 100_000):
            with (
                self.subTest(data=data[:5]),
                self.assertRaisesMessage(ValueError, "not a JSON object"),
            ):
                loads_object(data, max_depth=8)


class FormatTimeTests(SimpleTestCase):
    def test_utc_with_microseconds_only_when_present(self):
        moment = datetime(2026, 1, 2, 3, 4, 5, 999_999, tzinfo=timezone(timedelta(hours=2)))
        self.assertEqual(format_time(moment), "2026-01-02T01:04:05.999999+00:00")
        self.assertEqual(parse_time(format_time(moment)), moment)
        self.assertEqual(
            format_time(datetime(2026, 1, 2, 3, 4, 5, 1, tzinfo=UTC)),
            "2026-01-02T03:04:05.000001+00:00",
        )
        self.assertEqual(
            format_time(datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)), "2026-01-02T03:04:05+00:00"
        )

    def test_round_trip(self):
        moment = datetime(2030, 12, 31, 23, 59, 59, tzinfo=UTC)
        self.assertEqual(parse_time(format_time(moment)), moment)


class ParseTimeTests(SimpleTestCase):
    def test_accepted(self):
        cases = {
            "2026-01-02T03:04:05Z": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
            "2026-01-02T03:04:05+00:00": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
            "2026-01-02T03:04:05-00:00": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
            "2026-01-02T03:04:05+02:30": datetime(2026, 1, 2, 0, 34, 5, tzinfo=UTC),
            "2026-01-02T03:04:05-05:00": datetime(2026, 1, 2, 8, 4, 5, tzinfo=UTC),
            "2026-01-02T03:04:05+23:59": datetime(2026, 1, 1, 3, 5, 5, tzinfo=UTC),
            "2026-01-02T03:04:05.5Z": datetime(2026, 1, 2, 3, 4, 5, 500_000, tzinfo=UTC),
            "2026-01-02T03:04:05.123456Z": datetime(2026, 1, 2, 3, 4, 5, 123_456, tzinfo=UTC),
            "2026-01-02T03:04:05.123456789+01:00": datetime(
                2026, 1, 2, 2, 4, 5, 123_456, tzinfo=UTC
            ),
            "2024-02-29T23:59:59Z": datetime(2024, 2, 29, 23, 59, 59, tzinfo=UTC),
            "0001-01-01T00:00:00Z": datetime(1, 1, 1, tzinfo=UTC),
            "9999-12-31T23:59:59Z": datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC),
        }
        for text, expected in cases.items():
            with self.subTest(text):
                parsed = parse_time(text)
                self.assertEqual(parsed, expected)
                self.assertEqual(parsed.utcoffset(), timedelta(0))  # aware, in UTC

    def test_refused(self):
        cases = {
            "no offset": "2026-01-02T03:04:05",
            "no offset, fraction": "2026-01-02T03:04:05.123",
            "date only": "2026-01-02",
            "lower-case t": "2026-01-02t03:04:05Z",
            "lower-case z": "2026-01-02T03:04:05z",
            "space separator": "2026-01-02 03:04:05Z",
            "underscore separator": "2026-01-02_03:04:05Z",
            "ten fraction digits": "2026-01-02T03:04:05.1234567891Z",
            "empty fraction": "2026-01-02T03:04:05.Z",
            "comma fraction": "2026-01-02T03:04:05,5Z",
            "no seconds": "2026-01-02T03:04Z",
            "short offset": "2026-01-02T03:04:05+01",
            "compact offset": "2026-01-02T03:04:05+0100",
            "offset with seconds": "2026-01-02T03:04:05+01:00:00",
            "offset 24:00": "2026-01-02T03:04:05+24:00",
            "offset minutes 60": "2026-01-02T03:04:05+05:60",
            "offset minutes 99": "2026-01-02T03:04:05+05:99",
            "month 00": "2026-00-02T03:04:05Z",
            "month 13": "2026-13-02T03:04:05Z",
            "day 00": "2026-01-00T03:04:05Z",
            "day 32": "2026-01-32T03:04:05Z",
            "29 february 2026": "2026-02-29T03:04:05Z",
            "hour 24": "2026-01-02T24:00:00Z",
            "hour 25": "2026-01-02T25:04:05Z",
            "minute 60": "2026-01-02T03:60:05Z",
            "second 60 (leap second)": "2023-12-31T23:59:60Z",
            "year 0000": "0000-01-01T00:00:00Z",
            "five-digit year": "10000-01-01T00:00:00Z",
            "compact date": "20260102T030405Z",
            "week date": "2026-W01-5T03:04:05Z",
            "leading space": " 2026-01-02T03:04:05Z",
            "trailing newline": "2026-01-02T03:04:05Z\n",
            "non-ascii digits": "\uff12026-01-02T03:04:05Z",
            "before year 1 in UTC": "0001-01-01T00:00:00+01:00",
            "after year 9999 in UTC": "9999-12-31T23:59:59-01:00",
            "empty": "",
        }
        for name, text in cases.items():
            with self.subTest(name), self.assertRaisesMessage(ValueError, "not an RFC 3339 string"):
                parse_time(text)

    def test_not_a_string(self):
        for value in (
            None,
            1767323045,
            1767323045.0,
            b"2026-01-02T03:04:05Z",
            datetime.now(UTC),
            ["x"],
        ):
            with (
                self.subTest(value=value),
                self.assertRaisesMessage(ValueError, "not an RFC 3339 string"),
            ):
                parse_time(value)
