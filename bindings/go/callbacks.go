package hsession

// Functions C calls back into. This file's preamble holds declarations
// only (a cgo rule for files with //export).

/*
#include <stdint.h>
#include "hsession.h"
*/
import "C"

import (
	"io"
	"runtime/cgo"
	"sync"
	"unsafe"
)

// waiter receives the outcome of one async call.
type waiter struct {
	done chan struct{} // buffered: the callback never blocks
	rc   C.hsession_result
	resp *C.hsession_response
	err  *C.hsession_error
}

// hsessionGoCallDone is the completion callback of hsession_send(_packed),
// run once per call on the library's callback thread. It must not block:
// it takes the outcome and hands it to the waiting goroutine.
//
//export hsessionGoCallDone
func hsessionGoCallDone(handle C.uintptr_t, call *C.hsession_call, rc C.hsession_result) {
	h := cgo.Handle(handle)
	w := h.Value().(*waiter)
	h.Delete()
	var resp *C.hsession_response
	var e *C.hsession_error
	w.rc = C.hsession_call_take(call, &resp, &e)
	w.resp, w.err = resp, e
	w.done <- struct{}{}
}

// Streamed request bodies: the library calls hsessionGoBodyRead on a
// thread of its blocking pool. The reader is found by a number in this
// registry rather than a cgo.Handle, so a late call after the request
// ended (a cancel while a Read was blocked) finds nothing and fails
// cleanly instead of panicking on a deleted handle.
var readers struct {
	sync.Mutex
	next uintptr
	m    map[uintptr]io.Reader
}

func registerReader(r io.Reader) uintptr {
	readers.Lock()
	defer readers.Unlock()
	if readers.m == nil {
		readers.m = make(map[uintptr]io.Reader)
	}
	readers.next++
	readers.m[readers.next] = r
	return readers.next
}

func unregisterReader(id uintptr) {
	readers.Lock()
	delete(readers.m, id)
	readers.Unlock()
}

//export hsessionGoBodyRead
func hsessionGoBodyRead(id C.uintptr_t, buf *C.uint8_t, capacity C.size_t) C.int64_t {
	readers.Lock()
	r := readers.m[uintptr(id)]
	readers.Unlock()
	if r == nil || capacity == 0 {
		return -1
	}
	p := unsafe.Slice((*byte)(unsafe.Pointer(buf)), int(capacity))
	// (0, nil) is allowed by io.Reader; read again, but not forever
	// (io.ErrNoProgress's rule of thumb, as bufio uses).
	for range 100 {
		n, err := r.Read(p)
		if n > 0 {
			return C.int64_t(n)
		}
		if err == io.EOF {
			return 0
		}
		if err != nil {
			return -1
		}
	}
	return -1
}

// hsessionGoLog receives one log line on the library's logging thread
// (logging.go); a slow slog handler delays only later lines.
//
//export hsessionGoLog
func hsessionGoLog(level C.int, message *C.char) {
	logRecord(int(level), C.GoString(message))
}
