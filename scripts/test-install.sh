#!/bin/sh
# Usage: test-install.sh DIST_DIR
# Installs each artifact of `make dist` outside the checkout, in a fresh
# temporary directory, the way a user of each language would, and runs
# examples against the bundled test server (HSESSION_TESTSERVER):
#   Python  a fresh venv, `pip install` the wheel (no HSESSION_LIB), the examples
#   Node    a fresh npm project, `npm install` the two tarballs, CommonJS and ESM
#   C/C++   the install tarball unpacked; a CMake project (find_package) in C and C++
#   Go      a module requiring a copy of bindings/go, built against the unpacked
#           install through pkg-config, run with no LD_LIBRARY_PATH
# Prints "N passed, N failed" and exits non-zero if any failed.
set -u
dist=$(cd "${1:?usage: test-install.sh DIST_DIR}" && pwd)
repo=$(cd "$(dirname "$0")/.." && pwd)
server="${HSESSION_TESTSERVER:?set HSESSION_TESTSERVER to the hsession-testserver binary}"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/hsession-install.XXXXXX")
unset HSESSION_LIB LD_LIBRARY_PATH PKG_CONFIG_PATH

fifo="$tmp/server.fifo"; mkfifo "$fifo"
"$server" > "$fifo" &
spid=$!
trap 'kill $spid 2>/dev/null; wait $spid 2>/dev/null; rm -rf "$tmp"' EXIT INT TERM
read -r line < "$fifo"
base="http://127.0.0.1:${line#PORT=}"
echo "test server: $base; installing into $tmp"

passed=0 failed=0
step() { # step NAME CMD...: runs CMD in a subshell, counts it
    name=$1; shift
    echo "== $name"
    # Not in an `if`: there the shell would ignore set -e inside.
    ( set -e; "$@" ); rc=$?
    if [ "$rc" -eq 0 ]; then passed=$((passed + 1)); echo "== $name: ok"
    else failed=$((failed + 1)); echo "== $name: FAILED"; fi
}

python_wheel() {
    python3 -m venv "$tmp/venv"
    "$tmp/venv/bin/pip" install -q --no-index "$dist"/hsession-*-py3-none-*.whl
    cp -r "$repo/bindings/python/examples" "$tmp/pyexamples"
    cd "$tmp"
    # The bundled library, from site-packages.
    "$tmp/venv/bin/python" -c 'import hsession._lib as l, sys; p = l.lib._name; print("loaded", p); sys.exit("site-packages/hsession/" not in p)'
    PYTHON="$tmp/venv/bin/python" sh "$tmp/pyexamples/run_all.sh" "$base"
}

node_packages() {
    mkdir -p "$tmp/napp"
    cd "$tmp/napp"
    npm init -y >/dev/null
    npm install --no-audit --no-fund --silent "$dist"/hsession-[0-9]*.tgz "$dist"/hsession-linux-x64-gnu-*.tgz
    # hsession names the platform package as an optional dependency.
    node -e "process.exit(require('hsession/package.json').optionalDependencies['@hsession/linux-x64-gnu'] ? 0 : 1)"
    cp "$repo/tests/install/node/cjs.js" "$repo/tests/install/node/esm.mjs" .
    node cjs.js "$base"
    node esm.mjs "$base"
    # The package's own examples, as an app would write them.
    mkdir examples
    for f in "$repo"/bindings/node/examples/*.js; do
        case $f in *run-all.js|*raw-abi*) continue;; esac
        sed "s|require('\.\.')|require('hsession')|" "$f" > "examples/$(basename "$f")"
        node "examples/$(basename "$f")" "$base" > /dev/null
        echo "examples/$(basename "$f"): ok"
    done
}

c_install() {
    mkdir -p "$tmp/c"
    tar -C "$tmp/c" -xzf "$dist"/hsession-*-linux-x86_64.tar.gz
    prefix=$(echo "$tmp"/c/hsession-*)
    mkdir -p "$tmp/cmake"
    cp "$repo/tests/install/cmake/CMakeLists.txt" "$repo/examples/c/basic.c" "$repo/examples/c/common.h" \
       "$repo/examples/cpp/basic.cpp" "$repo/examples/cpp/cookies.cpp" "$repo/examples/cpp/common.hpp" "$tmp/cmake/"
    cmake -S "$tmp/cmake" -B "$tmp/cmake/build" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release > /dev/null
    cmake --build "$tmp/cmake/build" -j 2 > /dev/null
    for b in basic_c basic_cpp cookies_cpp_static; do "$tmp/cmake/build/$b" "$base" > /dev/null; echo "$b: ok"; done
    # pkg-config from the unpacked tree (its .pc is relocatable).
    PKG_CONFIG_PATH="$prefix/lib/pkgconfig" pkg-config --modversion hsession
}

go_module() {
    prefix=$(echo "$tmp"/c/hsession-*)
    [ -d "$prefix" ] || { echo "the C install step did not unpack the tarball"; return 1; }
    mkdir -p "$tmp/goapp"
    cp "$repo/tests/install/go/main.go" "$repo/tests/install/go/go.mod" "$tmp/goapp/"
    cp -r "$repo/bindings/go" "$tmp/goapp/hsession-go"
    cd "$tmp/goapp"
    # Without the library installed the build says what is missing.
    if out=$(GOFLAGS=-mod=mod go build -o app . 2>&1); then
        echo "(hsession.pc is installed system-wide here; the missing-library message is not checked)"
    else
        echo "$out" | grep -q "Package hsession was not found" || { echo "$out"; return 1; }
    fi
    PKG_CONFIG_PATH="$prefix/lib/pkgconfig" GOFLAGS=-mod=mod go build -o app .
    ./app "$base"
    # The binding's own Examples, from the copied module.
    cd "$tmp/goapp/hsession-go"
    HSESSION_TESTSERVER="$server" PKG_CONFIG_PATH="$prefix/lib/pkgconfig" go test -count=1 -run '^Example' . 
}

step python-wheel python_wheel
step npm-packages node_packages
step c-cmake-install c_install
step go-module go_module
echo "test-install: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
