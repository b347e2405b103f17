"""``tests.server_settings`` for the uvicorn servers of tests/test_async_live.py, with the
thread-hop probe installed in the server process (``tests.hop_probe``)."""

from tests import hop_probe
from tests.server_settings import *  # noqa: F403

hop_probe.install()
