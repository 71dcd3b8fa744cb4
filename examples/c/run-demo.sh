#!/bin/sh
# Starts the bundled test server on a free port, runs each example given
# against it, and stops the server (by its PID) however the examples end.
set -u
server="${HSESSION_TESTSERVER:?set HSESSION_TESTSERVER to the hsession-testserver binary}"
fifo=$(mktemp -u); mkfifo "$fifo"
"$server" > "$fifo" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -f "$fifo"' EXIT INT TERM
read -r line < "$fifo"
port=${line#PORT=}
base="http://127.0.0.1:$port"
echo "test server: $base (pid $pid)"
status=0
for ex in "$@"; do
    echo "== $(basename "$ex")"
    "$ex" "$base" || { echo "== $(basename "$ex") FAILED"; status=1; }
done
exit $status
