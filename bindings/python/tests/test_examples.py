"""The example programs (bindings/python/examples) run against the test server."""

import os
import subprocess
import sys

import pytest

EXAMPLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples")

EXPECT = {
    "basic_usage.py": ["'slideshow'", "{'key': 'value'} MyApp/1.0"],
    "login_cookies.py": ["login: 200", "protected: 200"],
    "default_headers_timeout.py": ["Bearer my_token application/json", "timeout: ReadTimeout"],
    "connection_pooling.py": ["Without session:", "connections opened: 1"],
    "authentication.py": ["'authenticated': True"],
    "retries.py": ["{'attempts': 3} after 2 retries"],
    "context_manager.py": ["'slideshow'"],
    "shared_threads.py": ["40 requests", "in all: True"],
}


@pytest.mark.parametrize("script", sorted(EXPECT))
def test_example(script, base):
    out = subprocess.run([sys.executable, script, base], cwd=EXAMPLES, capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    for line in EXPECT[script]:
        assert line in out.stdout, out.stdout


def test_example_takes_the_url_from_the_environment(base):
    env = dict(os.environ, HSESSION_BASE_URL=base)
    out = subprocess.run([sys.executable, "authentication.py"], cwd=EXAMPLES, capture_output=True,
                         text=True, timeout=60, env=env)
    assert out.returncode == 0 and "'authenticated': True" in out.stdout, out.stderr
