"""Fixtures: the project's test server (plain and TLS), started once per run
on a free port, and a fresh hsession.Session per test."""

import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))  # the package from this source tree

import hsession  # noqa: E402

SERVER = os.environ.get("HSESSION_TESTSERVER") or os.path.normpath(
    os.path.join(HERE, "..", "..", "..", "target", "release", "hsession-testserver"))


class Server:
    def __init__(self, *args):
        if not os.path.exists(SERVER):
            raise RuntimeError(f"test server not built: {SERVER} (cargo build --release --workspace)")
        # --exit-on-stdin-eof: the server goes away with this process, even on a crash.
        self.proc = subprocess.Popen([SERVER, "--exit-on-stdin-eof", *args], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline().strip()
        if not line.startswith("PORT="):
            self.stop()
            raise RuntimeError(f"test server said {line!r}")
        self.port = int(line[5:])
        scheme = "https" if "--tls-self-signed" in args else "http"
        self.base = f"{scheme}://127.0.0.1:{self.port}"

    def url(self, path):
        return self.base + path

    def stop(self):
        self.proc.stdin.close()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture(scope="session")
def server():
    srv = Server()
    yield srv
    srv.stop()


@pytest.fixture(scope="session")
def tls_server(tmp_path_factory):
    d = tmp_path_factory.mktemp("tls")
    srv = Server("--tls-self-signed", str(d))
    srv.dir = d
    yield srv
    srv.stop()


@pytest.fixture
def base(server):
    return server.base


@pytest.fixture
def s():
    with hsession.Session() as sess:
        yield sess


def echoed(body, name):
    """Values of header `name` the test server echoed, in order."""
    return [v for k, v in body["headers"] if k.lower() == name.lower()]
