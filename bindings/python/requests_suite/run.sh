#!/bin/sh
# requests' own test suite (the pinned sdist from PyPI, downloaded at run
# time into build/, never committed) against real requests and against
# hsession through the module alias in shim/, offline: the tests run in a
# network namespace that has only loopback. Prints both counts, and fails
# when hsession passes less than REQUESTS_SUITE_MIN percent of the public-API
# subset (test_requests.py, test_lowlevel.py, test_structures.py's
# CaseInsensitiveDict) that passes on real requests.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
WORK=$ROOT/build/requests-suite
VERSION=2.32.3
MIN=${REQUESTS_SUITE_MIN:-90}
PY=${PY:-python3}
mkdir -p "$WORK"
cd "$WORK"

# Downloads and installs happen here, outside the namespace. The pins are
# requests' requirements-dev.txt, fixed to the versions checked.
[ -x venv/bin/python ] || "$PY" -m venv venv
if ! venv/bin/python -c "import requests, pytest_httpbin, trustme, pytest_mock, socks" 2>/dev/null \
   || [ "$(venv/bin/python -c 'import requests; print(requests.__version__)')" != "$VERSION" ]; then
    venv/bin/pip download -q --no-binary :all: --no-deps "requests==$VERSION" -d dl
    venv/bin/pip install -q "pytest==8.4.2" "pytest-httpbin==2.0.0" "httpbin==0.10.4" "flask==3.1.3" \
        "werkzeug==3.1.9" "trustme==1.2.1" "pytest-mock==3.17.0" "PySocks==1.7.1" "urllib3==2.8.0" \
        "dl/requests-$VERSION.tar.gz"
fi
if [ ! -d "requests-$VERSION/tests" ]; then
    [ -f "dl/requests-$VERSION.tar.gz" ] || venv/bin/pip download -q --no-binary :all: --no-deps "requests==$VERSION" -d dl
    tar xzf "dl/requests-$VERSION.tar.gz"
fi

# Only loopback inside: nothing the tests do can reach another host.
run_ns() {
    unshare -n sh -c 'ip link set lo up && exec "$@"' sh "$@"
}
cd "requests-$VERSION"
echo "== requests $VERSION's tests against requests $VERSION"
run_ns env -u HTTP_PROXY -u HTTPS_PROXY -u http_proxy -u https_proxy -u ALL_PROXY -u all_proxy \
    "$WORK/venv/bin/python" -m pytest -q -p no:cacheprovider -o addopts= --junitxml="$WORK/real.xml" tests \
    > "$WORK/real.log" 2>&1 || true
tail -n 1 "$WORK/real.log"
echo "== requests $VERSION's tests against hsession (import hsession as requests)"
run_ns env -u HTTP_PROXY -u HTTPS_PROXY -u http_proxy -u https_proxy -u ALL_PROXY -u all_proxy \
    PYTHONPATH="$HERE/shim:$ROOT/bindings/python" HSESSION_LIB="${HSESSION_LIB:-$ROOT/target/release/libhsession.so}" \
    "$WORK/venv/bin/python" -m pytest -q -p no:cacheprovider -o addopts= --continue-on-collection-errors --junitxml="$WORK/hsession.xml" tests \
    > "$WORK/hsession.log" 2>&1 || true
tail -n 1 "$WORK/hsession.log"
"$WORK/venv/bin/python" "$HERE/summarize.py" "$WORK/real.xml" "$WORK/hsession.xml" "$MIN" "$WORK/failing.txt"
