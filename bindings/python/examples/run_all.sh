#!/bin/sh
# Runs every example against the server at $1 (make demo-python starts one).
set -e
cd "$(dirname "$0")"
for ex in basic_usage login_cookies default_headers_timeout connection_pooling authentication retries \
          context_manager shared_threads; do
    echo "== $ex.py"
    "${PYTHON:-python3}" "$ex.py" "$1"
done
