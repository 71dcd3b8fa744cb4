package hsession

// The completion queue that wakes goroutines waiting in Do. Requests with a
// packed body start with hsession_send_packed_queued: the hsession runtime
// thread that finishes one pushes its tag into this process-wide queue and
// writes a byte to a socket. Go's netpoller watches that socket like any
// other connection, so one dispatcher goroutine (no OS thread of its own)
// drains the tags and wakes each request's goroutine. No hsession thread
// calls into Go on this path, which saves a thread hand-off and a cgo
// callback per request compared with hsession_send_packed's callback.

/*
#include <stdint.h>
#include "hsession.h"
*/
import "C"

import (
	"os"
	"runtime/cgo"
	"sync"
	"syscall"
)

// pollBatch is how many tags one hsession_queue_poll moves (one cgo call
// per batch under load).
const pollBatch = 128

var completions struct {
	once  sync.Once
	queue *C.hsession_queue // never freed: it lives as long as the process
	err   error
}

// completionQueue returns the process's queue, creating it and starting
// its dispatcher on first use.
func completionQueue() (*C.hsession_queue, error) {
	completions.once.Do(func() {
		var q *C.hsession_queue
		var fd C.int32_t
		var e *C.hsession_error
		if rc := C.hsession_queue_new_fd(&q, &fd, &e); rc != C.HSESSION_OK {
			completions.err = errorFrom(rc, e)
			return
		}
		// os.NewFile registers a non-blocking descriptor with the
		// netpoller, so Read parks the goroutine instead of a thread.
		if err := syscall.SetNonblock(int(fd), true); err != nil {
			syscall.Close(int(fd))
			C.hsession_queue_free(q)
			completions.err = &Error{Code: CodeRuntime, Message: "completion queue socket: " + err.Error()}
			return
		}
		completions.queue = q
		go dispatchCompletions(q, os.NewFile(uintptr(fd), "hsession-completions"))
	})
	return completions.queue, completions.err
}

// dispatchCompletions waits for the queue's wake-up bytes and wakes the
// goroutine of every finished request. A tag is a cgo.Handle of the
// request's *waiter; the library pushes each tag exactly once (also when
// the request is cancelled or its session freed), so each handle is
// deleted here exactly once.
func dispatchCompletions(q *C.hsession_queue, f *os.File) {
	wake := make([]byte, 64)
	tags := make([]C.uint64_t, pollBatch)
	for {
		if _, err := f.Read(wake); err != nil {
			// The library keeps the writing end open as long as the
			// queue lives, which is the process's lifetime.
			panic("hsession: completion queue socket failed: " + err.Error())
		}
		// Drain until a poll comes back short: only then does the next
		// push write a new wake-up byte.
		for {
			n := int(C.hsession_queue_poll(q, &tags[0], C.size_t(len(tags))))
			for _, tag := range tags[:n] {
				h := cgo.Handle(tag)
				w := h.Value().(*waiter)
				h.Delete()
				w.done <- struct{}{} // buffered, never blocks
			}
			if n < len(tags) {
				break
			}
		}
	}
}
