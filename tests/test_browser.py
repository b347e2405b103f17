"""example_project/'s demo page in a real headless Chromium (Debian's, driven by Playwright),
against the example project served by runserver in a separate process.

Skipped when Chromium (``/usr/bin/chromium`` or ``chromium`` on PATH) or the playwright
package is missing: ``.ci/browser.sh`` installs Chromium, the dev extra installs playwright.
Playwright never downloads a browser here: it is pointed at Debian's. In the server tier
(``make test-servers``), like the other tests that start servers.
"""

from __future__ import annotations

import http.server
import json
import os
import shutil
import tempfile
import threading
import unittest
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from django.test import SimpleTestCase, tag

from tests.live_server import ExampleProjectServer

try:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import Page, sync_playwright
except ImportError:  # pragma: no cover - the dev extra installs it
    sync_playwright = None  # type: ignore[assignment]

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Playwright

CHROMIUM = shutil.which("chromium") or (
    "/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else None
)
# Headless, and nothing that reaches beyond loopback: no first-run, sync, component updates,
# background networking or QUIC. Playwright makes a fresh profile directory per launch.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SKIP_REASON = (
    "the browser test needs Chromium (apt-get install chromium; .ci/browser.sh does it)"
    if CHROMIUM is None
    else "the browser test needs the playwright package (pip install 'playwright>=1.40'; "
    "never `playwright install`: it is pointed at Debian's Chromium)"
    if sync_playwright is None
    else ""
)
# Screenshots are kept here (outside the per-run temporary directory) to look at afterwards.
SCREENSHOTS = Path(tempfile.gettempdir()) / "drf_paseto_browser"
TIMEOUT_MS = 10_000
TOKEN_COOKIES = {
    "access_token_cookie",
    "refresh_token_cookie",
    "csrf_access_token",
    "csrf_refresh_token",
}


class Forged(NamedTuple):
    """The server's answer to a forged request, and the Cookie header it came with."""

    status: int
    body: str | None
    cookie: str | None


class AttackerSite:
    """A second site: one page on its own port, served by http.server in a thread."""

    def __init__(self) -> None:
        self.pages: dict[str, bytes] = {}
        pages = self.pages

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = pages.get(self.path)
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.end_headers()
                self.wfile.write(body or b"not found")

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@tag("servers")
@unittest.skipIf(SKIP_REASON, SKIP_REASON)
class DemoPageBrowserTests(SimpleTestCase):
    """The demo page at /demo/: httpOnly token cookies, the whole flow, forged requests."""

    databases: set[str] = set()
    server: ExampleProjectServer
    origin: str
    attacker: AttackerSite
    playwright: Playwright
    browser: Browser
    context: BrowserContext
    page: Page

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        # DJANGO_DEBUG=True: the example project then sets COOKIE_SECURE False, so the cookies
        # go over plain http://127.0.0.1 whatever Chromium thinks of loopback's security.
        cls.server = ExampleProjectServer(debug=True).start()
        cls.addClassCleanup(cls.server.stop)
        cls.origin = cls.server.base

        cls.attacker = AttackerSite()
        cls.addClassCleanup(cls.attacker.close)
        assert sync_playwright is not None and CHROMIUM is not None
        cls.playwright = sync_playwright().start()
        cls.addClassCleanup(cls.playwright.stop)
        cls.browser = cls.playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        cls.addClassCleanup(cls.browser.close)

    # --- helpers ------------------------------------------------------------------------

    def setUp(self) -> None:
        # A fresh context (its own cookie jar) per test; the browser is the class's.
        self.context = self.browser.new_context()
        self.context.set_default_timeout(TIMEOUT_MS)
        self.addCleanup(self.context.close)
        self.page = self.context.new_page()

    @contextmanager
    def evidence(self, page: Page | None = None) -> Iterator[None]:
        """On a failed assertion: a screenshot of the page and the server log's tail."""
        try:
            yield
        except AssertionError as err:
            path = self.screenshot(page or self.page, "failure")
            raise AssertionError(
                f"{err}\nscreenshot: {path}\nserver log (last lines):\n{self.server.log_tail()}"
            ) from err

    def screenshot(self, page: Page, name: str) -> str:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{self._testMethodName}-{name}.png"
        try:
            page.screenshot(path=str(path), full_page=True)
        except Exception as err:  # pragma: no cover - a dead page
            return f"(no screenshot: {err})"
        return str(path)

    def open_demo(self) -> None:
        self.page.goto(f"{self.origin}/demo/")
        self.assertEqual(self.page.title(), "drf_paseto - browser demo")

    def act(self, click: Callable[[], None]) -> tuple[int, str]:
        """Click, wait for the page to show one more result, return its status and JSON."""
        results = self.page.locator("#results > li")
        before = results.count()
        click()
        self.page.wait_for_function(
            "n => document.querySelectorAll('#results > li').length > n", arg=before
        )
        newest = results.first
        status = newest.get_attribute("data-status") or ""
        return int(status) if status.isdigit() else -1, newest.locator("pre").inner_text()

    def button(self, name: str) -> Callable[[], None]:
        locator = self.page.get_by_role("button", name=name, exact=True)
        return lambda: locator.click()

    def login(self) -> None:
        self.open_demo()
        status, body = self.act(self.button("Log in"))
        self.assertEqual(status, 200, body)
        self.assertIn("access_token_expires_at", body)
        self.assertNotIn("v4.", body)  # cookie-only: no token string in the body

    def json_of(self, body: str) -> Any:
        return json.loads(body)

    def page_fetch(self, method: str, path: str, csrf_cookie: str | None = None) -> Any:
        """A fetch() from the demo page's own origin: [status, JSON body or null]."""
        return self.page.evaluate(
            """async ([method, url, csrfCookie]) => {
                const headers = {};
                if (csrfCookie) {
                    const prefix = csrfCookie + "=";
                    const found = document.cookie.split("; ").find(c => c.startsWith(prefix));
                    headers["X-CSRF-Token"] = found ? found.slice(prefix.length) : "";
                }
                const r = await fetch(url, {method, headers, credentials: "same-origin"});
                const text = await r.text();
                return [r.status, text ? JSON.parse(text) : null];
            }""",
            [method, path, csrf_cookie],
        )

    # --- tests --------------------------------------------------------------------------

    def test_token_cookies_are_http_only(self) -> None:
        with self.evidence():
            self.login()
            readable = self.page.evaluate("document.cookie")
            names = {part.split("=", 1)[0].strip() for part in readable.split(";")}
            self.assertIn("csrf_access_token", names)
            self.assertIn("csrf_refresh_token", names)
            self.assertNotIn("access_token_cookie", names)
            self.assertNotIn("refresh_token_cookie", names)
            self.assertNotIn("access_token_cookie", readable)
            # The page says what it can read, too.
            shown = self.page.locator("#cookies").inner_text()
            self.assertIn("csrf_access_token", shown)
            self.assertNotIn("token_cookie", shown)

            jar = {cookie["name"]: cookie for cookie in self.context.cookies()}
            for name in ("access_token_cookie", "refresh_token_cookie"):
                self.assertIn(name, jar)
                self.assertTrue(jar[name]["httpOnly"], name)
                self.assertEqual(jar[name]["sameSite"], "Lax", name)
                self.assertTrue(jar[name]["value"].startswith("v4."), name)
            for name in ("csrf_access_token", "csrf_refresh_token"):
                self.assertFalse(jar[name]["httpOnly"], name)

    def test_flow(self) -> None:
        expected = [
            ("Call protected/", 200, {"user": "test"}),
            ("Call fresh/", 200, {"user": "test"}),
            ("Refresh", 200, None),
            ("Call fresh/", 403, "token_not_fresh"),
            ("Call protected/", 200, {"user": "test"}),
            ("Logout", 204, None),
            ("Call protected/", 401, None),
        ]
        with self.evidence():
            self.login()
            csrf_before = self.page.evaluate("document.cookie")
            for step, (name, want_status, want_body) in enumerate(expected):
                status, body = self.act(self.button(name))
                self.assertEqual(status, want_status, f"step {step}: {name}: {body}")
                if isinstance(want_body, dict):
                    self.assertEqual(self.json_of(body), want_body, f"step {step}: {name}")
                elif isinstance(want_body, str):
                    self.assertEqual(self.json_of(body)["code"], want_body, f"step {step}")
                if name == "Refresh":
                    data = self.json_of(body)
                    self.assertIn("access_token_expires_at", data)
                    self.assertNotIn("access_token", data)
                    # A new access token, with a new CSRF value beside it.
                    self.assertNotEqual(self.page.evaluate("document.cookie"), csrf_before)
            self.assertIn(self.json_of(body)["code"], {"not_authenticated", "token_revoked"}, body)
            # Logout cleared every cookie: nothing left for the page or the jar.
            self.assertEqual(self.page.evaluate("document.cookie"), "")
            self.assertEqual(self.context.cookies(), [])
            self.assertEqual(self.page.locator("#results > li").count(), len(expected) + 1)
            self.screenshot(self.page, "after-flow")

    def test_sessions_list_and_end_one(self) -> None:
        with self.evidence():
            self.login()
            credentials = {"username": "test", "password": "test"}
            other = self.server.client.call("POST", "/login/", body=credentials)  # a phone
            self.assertEqual(other.status, 200, str(other))
            status, body = self.act(self.button("List my sessions"))
            self.assertEqual(status, 200, body)
            rows = self.page.locator("#sessions tbody tr")
            self.page.wait_for_function(
                "() => document.querySelectorAll('#sessions tbody tr').length >= 2"
            )
            ids = [rows.nth(i).get_attribute("data-session-id") for i in range(rows.count())]
            listed = self.json_of(body)["sessions"]
            self.assertEqual(ids, [session["id"] for session in listed])
            # Newest first: the phone's login, then this browser's (other tests' may follow).
            self.assertEqual([s["current"] for s in listed[:2]], [False, True])
            self.assertEqual(sum(s["current"] for s in listed), 1)
            other_id, current_id = ids[0], ids[1]
            self.screenshot(self.page, "sessions")
            # End the phone's session from this page.
            self.page.locator(f'#sessions tr[data-session-id="{other_id}"] button').click()
            self.page.wait_for_function(
                "n => document.querySelectorAll('#sessions tbody tr').length === n",
                arg=len(ids) - 1,
            )
            left = [rows.nth(i).get_attribute("data-session-id") for i in range(rows.count())]
            self.assertNotIn(other_id, left)
            self.assertEqual(left[0], current_id)
            refused = self.server.client.call("GET", "/protected/", other.body["access_token"])
            self.assertEqual((refused.status, refused.code), (401, "token_revoked"))
            self.assert_session_intact()

    def test_logout_clears_the_sessions_table(self) -> None:
        """After a logout the page holds no session: the table no longer says "this browser"
        (it kept the row of the session just ended)."""
        with self.evidence():
            self.login()
            status, body = self.act(self.button("List my sessions"))
            self.assertEqual(status, 200, body)
            table = self.page.locator("#sessions")
            self.page.wait_for_function(
                "() => document.querySelectorAll('#sessions tbody tr.current').length === 1"
            )
            self.assertIn("this browser", table.inner_text())
            status, body = self.act(self.button("Logout"))
            self.assertEqual(status, 204, body)
            self.page.wait_for_function(
                "() => document.querySelectorAll('#sessions tbody tr').length === 0"
            )
            self.assertNotIn("this browser", table.inner_text())
            self.screenshot(self.page, "sessions-after-logout")

    def token_cookies(self) -> dict[str, str]:
        return {c["name"]: c["value"] for c in self.context.cookies() if c["name"] in TOKEN_COOKIES}

    def assert_session_intact(self) -> None:
        """The demo page still gets in, and the browser still holds all four cookies."""
        status, body = self.act(self.button("Call protected/"))
        self.assertEqual((status, self.json_of(body)), (200, {"user": "test"}))
        self.assertEqual(set(self.token_cookies()), TOKEN_COOKIES)

    def forge(
        self,
        host: str,
        kind: str,
        path: str = "/logout/all/",
        fields: dict[str, str] | None = None,
    ) -> Forged:
        """Open a page of the attacker's site (``host``:its port) that POSTs to ``path`` of the
        example project by itself, without the CSRF header; return the server's answer.

        ``form``: a form that submits itself, a top-level navigation (a classic CSRF attack).
        ``fetch``: fetch(..., credentials: "include"), a "simple" request, so no preflight;
        its answer is opaque to the attacker, and to the test only the status is sure to be.
        ``fields``: a urlencoded form with these fields (``form`` only), such as credentials.
        """
        target = f"{self.origin}{path}"
        if kind == "form":
            inputs = "".join(
                f'<input type="hidden" name="{name}" value="{value}">'
                for name, value in (fields or {"x": "y"}).items()
            )
            enctype = "application/x-www-form-urlencoded" if fields else "text/plain"
            html = f"""<!doctype html>
                <form method="post" action="{target}" enctype="{enctype}">{inputs}</form>
                <script>document.forms[0].submit()</script>"""
        else:
            html = f"""<!doctype html><script>
                fetch("{target}", {{method: "POST", credentials: "include", mode: "no-cors",
                    headers: {{"Content-Type": "text/plain"}}, body: "x"}});
                </script>"""
        name = f"/{kind}-{len(self.attacker.pages)}.html"
        self.attacker.pages[name] = html.encode()
        attack = self.context.new_page()
        with attack.expect_response(target) as answer:
            attack.goto(f"http://{host}:{self.attacker.port}{name}")
        response = answer.value
        self.assertEqual(response.request.method, "POST")
        try:
            body = response.text()
        except PlaywrightError:  # an opaque answer's body may not be kept
            body = None
        # The raw request headers (with Cookie) are reported for navigations only.
        cookie = response.request.all_headers().get("cookie") if kind == "form" else None
        attack.close()
        return Forged(response.status, body, cookie)

    def test_csrf_header_is_required(self) -> None:
        """From the page's own origin, cookies sent: no X-CSRF-Token, no change (403)."""
        with self.evidence():
            self.login()
            for path in ("/logout/", "/logout/all/", "/browser/logout/", "/browser/refresh/"):
                status, data = self.page_fetch("POST", path)
                self.assertEqual((status, data["code"]), (403, "csrf_missing"), path)
            # The refresh token's CSRF value for the access token: a mismatch.
            status, data = self.page_fetch("POST", "/logout/", "csrf_refresh_token")
            self.assertEqual((status, data["code"]), (403, "csrf_mismatch"))
            self.assert_session_intact()
            # With the right value the same request works: it was the header that mattered.
            status, data = self.page_fetch("POST", "/browser/logout/", "csrf_access_token")
            self.assertEqual((status, data), (204, None))

    def test_same_site_forged_posts_are_refused(self) -> None:
        """Another origin of the same site (127.0.0.1, another port): SameSite=Lax lets the
        cookies go along, so the CSRF check is what refuses the forged POSTs (a 401 would
        mean no cookie was sent)."""
        with self.evidence():
            self.login()
            form = self.forge("127.0.0.1", "form")
            self.assertIn("access_token_cookie=", form.cookie or "")
            self.assertEqual(form.status, 403)
            self.assertIn("csrf_missing", form.body or "")
            self.assert_session_intact()
            fetch = self.forge("127.0.0.1", "fetch")
            self.assertEqual(fetch.status, 403)
            if fetch.body is not None:
                self.assertIn("csrf_missing", fetch.body)
            self.assert_session_intact()

    def test_cross_site_forged_posts_are_refused(self) -> None:
        """Another site (http://localhost:<port> is not http://127.0.0.1's site): SameSite=Lax
        keeps the token cookies at home, so the forged POSTs are not even authenticated,
        revoke nothing, and leave the browser's cookies alone."""
        with self.evidence():
            self.login()
            fetch = self.forge("localhost", "fetch")
            self.assertEqual(fetch.status, 401)
            if fetch.body is not None:
                self.assertIn("not_authenticated", fetch.body)
            self.assert_session_intact()
            held = self.token_cookies()
            form = self.forge("localhost", "form")
            self.assertIsNone(form.cookie)
            self.assertEqual(form.status, 401)
            # A navigation asks for HTML: DRF's browsable API page, with the code in it.
            self.assertIn("not_authenticated", form.body or "")
            # The answer to a top-level navigation may set (or expire) SameSite=Lax cookies:
            # a 401 that cleared them would let any site log the user out (fixed in 1766ef2).
            self.assertEqual(self.token_cookies(), held)
            self.assert_session_intact()

    def test_forged_login_is_refused(self) -> None:
        """Login CSRF: a page of another site (or of another origin of this site) submits the
        attacker's credentials to the cookie login view; the victim's browser must not end up
        logged in to the attacker's account. The demo page's own login works (test_flow)."""
        credentials = {"username": "test", "password": "test"}
        with self.evidence():
            for host in ("localhost", "127.0.0.1"):
                for path in ("/browser/login/", "/browser/refresh/"):
                    form = self.forge(host, "form", path, fields=credentials)
                    self.assertEqual(form.status, 403, (host, path))
                    self.assertIn("origin_not_allowed", form.body or "")
                    self.assertEqual(self.token_cookies(), {}, (host, path))
            self.login()  # from the page itself: still fine
            self.assert_session_intact()
