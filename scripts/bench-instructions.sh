#!/bin/sh
# Usage: bench-instructions.sh BASE_URL REQUESTS_LOOP FLOOR
# Instructions per request under callgrind, every thread counted: each
# client's loop for 200 and for 1,200 sequential GETs; the difference over
# 1,000 requests leaves out start-up. Run by `make bench-instructions`.
set -eu
count() {
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 |
        sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
per_request() {
    label=$1; shift
    a=$(count "$@" 200); b=$(count "$@" 1200)
    printf '%-34s %8d instructions/request\n' "$label" $(( (b - a) / 1000 ))
}
per_request "libcurl, one easy handle" "$2" curl "$1"
per_request "hsession, hsession_get" "$2" hsession "$1"
per_request "reqwest floor, block_on" "$3" --loop "$1"
