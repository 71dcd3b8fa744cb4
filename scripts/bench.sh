#!/bin/sh
# Usage: bench.sh BASE_URL REQUESTS BENCH_VS_CURL FLOOR
# hsession and libcurl (one program), then the bare-reqwest floor, against
# the same server. Run by `make bench`.
set -eu
"$3" "$1" "$2"
echo
"$4" "$1" "$2"
