#!/bin/sh
# Usage: with-testserver.sh CMD [ARGS...]
# Starts the bundled test server (HSESSION_TESTSERVER) on a free port of
# 127.0.0.1, runs CMD with every "@URL@" in ARGS replaced by the server's
# base URL, then stops the server by its PID however CMD ends.
set -u
server="${HSESSION_TESTSERVER:?set HSESSION_TESTSERVER to the hsession-testserver binary}"
fifo=$(mktemp -u); mkfifo "$fifo"
"$server" > "$fifo" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -f "$fifo"' EXIT INT TERM
read -r line < "$fifo"
base="http://127.0.0.1:${line#PORT=}"
echo "test server: $base (pid $pid)"
cmd=$1; shift
for a in "$@"; do
    [ "$a" = "@URL@" ] && a=$base
    set -- "$@" "$a"; shift
done
"$cmd" "$@"
