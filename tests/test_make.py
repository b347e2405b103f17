"""The Makefile's ``make services`` / ``make services-stop``: the servers of the suite's server
legs started on the ports given, their variables left where a later ``make`` (a fresh shell,
as ``make services && make test``) finds them, and everything stopped again."""

from __future__ import annotations

import os
import random
import shutil
import socket
import tempfile
import unittest
from pathlib import Path

from django.test import SimpleTestCase, tag

from tests.live_server import missing_postgres
from tests.test_example_project import make

VARIABLES = (
    "DRF_PASETO_TEST_POSTGRES",
    "DRF_PASETO_TEST_REDIS",
    "DRF_PASETO_TEST_REDIS_CLUSTER",
    "DRF_PASETO_TEST_REDIS_SENTINEL",
)


def free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_ports(count: int) -> list[int]:
    """Ports free with their cluster bus (port + 10000) free too, all different."""
    chosen: list[int] = []
    while len(chosen) < count:
        port = random.randrange(20000, 29000)
        if port not in chosen and free(port) and free(port + 10000):
            chosen.append(port)
    return chosen


def answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


@tag("servers")
@unittest.skipIf(
    shutil.which("redis-server") is None or missing_postgres() is not None,
    "make services needs redis-server and PostgreSQL's server binaries",
)
class MakeServicesTests(SimpleTestCase):
    def test_services_then_a_fresh_make_finds_them_then_stop(self) -> None:
        pg, redis, c1, c2, c3, master, sentinel = free_ports(7)
        state = tempfile.mkdtemp(prefix="drf_paseto_services_")
        self.addCleanup(shutil.rmtree, state, True)
        settings = [
            f"SERVICES_DIR={state}",
            f"PG_PORT={pg}",
            f"REDIS_PORT={redis}",
            f"REDIS_CLUSTER_PORTS={c1} {c2} {c3}",
            f"REDIS_SENTINEL_MASTER_PORT={master}",
            f"REDIS_SENTINEL_PORT={sentinel}",
        ]
        # A shell without the suite's variables, as a new user's.
        env = {k: v for k, v in os.environ.items() if k not in VARIABLES}
        self.addCleanup(make, "services-stop", f"SERVICES_DIR={state}", env=env)

        started = make("services", *settings, env=env)
        self.assertEqual(started.returncode, 0, started.stderr)
        for port in (pg, redis, c1, c2, c3, master, sentinel):
            self.assertTrue(answers(port), port)

        # A later make, in a fresh shell, given only the state folder: the four variables.
        shown = make(
            "--eval",
            "vars: ; @env | grep ^DRF_PASETO_TEST_ | sort",
            "vars",
            f"SERVICES_DIR={state}",
            env=env,
        )
        found = dict(line.split("=", 1) for line in shown.stdout.splitlines())
        self.assertEqual(
            found,
            {
                "DRF_PASETO_TEST_POSTGRES": f"postgres://postgres@127.0.0.1:{pg}/postgres",
                "DRF_PASETO_TEST_REDIS": f"redis://127.0.0.1:{redis}/0",
                "DRF_PASETO_TEST_REDIS_CLUSTER": f"redis://127.0.0.1:{c1}",
                "DRF_PASETO_TEST_REDIS_SENTINEL": f"redis://127.0.0.1:{sentinel}",
            },
        )
        # ... so make test's summary has nothing to say about the server legs.
        summary = make(
            "--eval", "summary: ; @bash .ci/skipped.sh", "summary", f"SERVICES_DIR={state}", env=env
        )
        self.assertNotIn("server legs", summary.stdout)
        # Variables already in the environment win over the file.
        mine = {**env, "DRF_PASETO_TEST_REDIS": "redis://127.0.0.1:1/0"}
        shown = make(
            "--eval",
            "vars: ; @echo $$DRF_PASETO_TEST_REDIS",
            "vars",
            f"SERVICES_DIR={state}",
            env=mine,
        )
        self.assertEqual(shown.stdout.strip(), "redis://127.0.0.1:1/0")

        stopped = make("services-stop", f"SERVICES_DIR={state}", env=env)
        self.assertEqual(stopped.returncode, 0, stopped.stderr)
        for port in (pg, redis, c1, c2, c3, master, sentinel):
            self.assertFalse(answers(port), port)
        self.assertFalse(Path(state, "services.mk").exists())
