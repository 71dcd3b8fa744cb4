#!/bin/sh
# Usage: run-demo.sh BASE_URL EXAMPLE...   runs each example against BASE_URL.
set -u
base=$1; shift
status=0
for ex in "$@"; do
    echo "== $(basename "$ex")"
    "$ex" "$base" || { echo "== $(basename "$ex") FAILED"; status=1; }
done
exit $status
