#!/bin/sh
# Runs each C test binary given, under AddressSanitizer/UBSan (compiled in),
# and prints one closing line with the totals. HSESSION_TEST_WRAPPER, when
# set, runs each test under that command (valgrind).
set -u
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:halt_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
passed=0 failed=0 bad=0
for t in "$@"; do
    out=$(${HSESSION_TEST_WRAPPER:-} "$t" 2>&1); rc=$?
    printf '%s\n' "$out"
    line=$(printf '%s\n' "$out" | sed -n 's/^[a-z_]*: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' | tail -n1)
    if [ -n "$line" ]; then
        passed=$((passed + ${line% *})); failed=$((failed + ${line#* }))
    fi
    if [ "$rc" -ne 0 ]; then
        echo "== $t exited with $rc"; bad=$((bad + 1))
    fi
done
echo "c-tests: $passed passed, $((failed + bad)) failed"
[ "$failed" -eq 0 ] && [ "$bad" -eq 0 ]
