package hsession

// The library's log lines as log/slog records.

/*
#include <stdint.h>
#include "hsession.h"

// Defined in Go (callbacks.go, //export).
extern void hsessionGoLog(int level, char *message);

static void hs_log(void *user_data, int level, const char *message) {
	(void)user_data;
	hsessionGoLog(level, (char *)message);
}

static hsession_result hs_set_log(int level, hsession_error **err) {
	return hsession_set_log_callback(level ? hs_log : NULL, NULL, level, err);
}
*/
import "C"

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// LevelTrace is the slog level of the library's trace lines (connection
// detail), below slog.LevelDebug.
const LevelTrace = slog.Level(-8)

var (
	logger   atomic.Pointer[slog.Logger]
	loggerMu sync.Mutex
)

// The library's levels (HSESSION_LOG_ERROR .. TRACE) as slog levels.
var slogLevels = [...]slog.Level{1: slog.LevelError, 2: slog.LevelWarn, 3: slog.LevelInfo, 4: slog.LevelDebug, 5: LevelTrace}

// SetLogger routes the library's log lines into l, for every session of the
// process (the library's log callback is process-wide, like curl's debug
// callback); nil stops it. Lines at the most detailed level l's handler is
// enabled for (at the time of the call) are delivered: errors (a request
// failed), warnings (a retry, with its reason and wait), info (one line per
// request: status, elapsed time), debug (connections opened, request lines,
// responses with new or reused connection, redirects) and LevelTrace.
//
// Each record's message is the line's words ("done 200 GET http://...");
// its key=value fields become attributes (elapsed_ms, kind, reason,
// wait_ms, local, ...). Records are logged from the library's logging
// thread, never from a goroutine doing a request, and no request waits for
// them: when the logger falls behind by 4,096 lines, lines are dropped.
// Credentials in URLs are shown as ***, and no header value is logged.
//
// HSESSION_LOG=debug (or error, warn, info, trace) writes the same lines
// to stderr instead, without any code.
func SetLogger(l *slog.Logger) error {
	loggerMu.Lock()
	defer loggerMu.Unlock()
	level := 0
	if l != nil {
		ctx := context.Background()
		for lib := 5; lib >= 1; lib-- {
			if l.Enabled(ctx, slogLevels[lib]) {
				level = lib
				break
			}
		}
	}
	if level == 0 {
		l = nil
	}
	logger.Store(l)
	var e *C.hsession_error
	if rc := C.hs_set_log(C.int(level), &e); rc != C.HSESSION_OK {
		return errorFrom(rc, e)
	}
	return nil
}

// LogLinesDropped is how many log lines were lost since the process started
// because the logger was slower than lines arrived.
func LogLinesDropped() uint64 { return uint64(C.hsession_log_dropped()) }

// logRecord logs one line from the library.
func logRecord(level int, line string) {
	l := logger.Load()
	if l == nil || level < 1 || level >= len(slogLevels) {
		return
	}
	msg, attrs := parseLine(line)
	l.LogAttrs(context.Background(), slogLevels[level], msg, attrs...)
}

// parseLine splits a line into its words and its key=value fields (a
// quoted value is unquoted).
func parseLine(line string) (string, []slog.Attr) {
	var words []string
	var attrs []slog.Attr
	for rest := line; rest != ""; {
		rest = strings.TrimLeft(rest, " ")
		if rest == "" {
			break
		}
		token := rest
		if eq := strings.IndexByte(rest, '='); eq > 0 && isKey(rest[:eq]) {
			key, value := rest[:eq], rest[eq+1:]
			if strings.HasPrefix(value, "\"") {
				if q, err := strconv.QuotedPrefix(value); err == nil {
					unq, _ := strconv.Unquote(q)
					attrs = append(attrs, slog.String(key, unq))
					rest = value[len(q):]
					continue
				}
			}
			end := strings.IndexByte(value, ' ')
			if end < 0 {
				end = len(value)
			}
			attrs = append(attrs, slog.String(key, value[:end]))
			rest = value[end:]
			continue
		}
		if end := strings.IndexByte(rest, ' '); end >= 0 {
			token = rest[:end]
		}
		words = append(words, token)
		rest = rest[len(token):]
	}
	return strings.Join(words, " "), attrs
}

func isKey(s string) bool {
	for _, c := range s {
		if (c < 'a' || c > 'z') && c != '_' {
			return false
		}
	}
	return s != ""
}
