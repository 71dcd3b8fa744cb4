package hsession

// The completion queue that wakes goroutines waiting in Do. Requests with a
// packed body start with hsession_send_packed_queued: the hsession runtime
// thread that finishes one pushes its tag (a cgo.Handle of the request's
// *waiter) into this process-wide queue and writes a byte to a socket.
// Go's netpoller watches that socket like any other connection. No
// hsession thread calls into Go on this path.
//
// There is no dispatcher goroutine: one of the goroutines waiting in Do,
// the leader, reads the socket and drains the queue, waking the others;
// when its own request is done it hands the role to a waiting goroutine.
// So a lone request is woken by the netpoller directly, with no goroutine
// or thread hand-off (a dispatcher goroutine cost about 30% more CPU per
// sequential request in the benchmark).

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
	once   sync.Once
	queue  *C.hsession_queue // never freed: it lives as long as the process
	socket *os.File
	wake   []byte
	tags   []C.uint64_t
	err    error
}

// completionQueue returns the process's queue, creating it on first use.
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
		completions.socket = os.NewFile(uintptr(fd), "hsession-completions")
		completions.wake = make([]byte, 64)
		completions.tags = make([]C.uint64_t, pollBatch)
	})
	return completions.queue, completions.err
}

// lead says whether a goroutine is reading the queue's socket; leadFree
// (one token) wakes a waiting goroutine to take the role over.
var (
	lead     sync.Mutex
	leading  bool
	leadFree = make(chan struct{}, 1)
)

// awaitCompletion returns once w's request has finished (its tag came out
// of the queue), leading the queue's reading meanwhile if nobody else does.
func awaitCompletion(w *waiter) {
	for {
		lead.Lock()
		if !leading {
			leading = true
			lead.Unlock()
			leadUntil(w)
			return
		}
		lead.Unlock()
		select {
		case <-w.done:
			return
		case <-leadFree: // the leader left: try to take over
		}
	}
}

// leadUntil reads the socket and drains the queue until w is done, then
// gives up the role and wakes one waiting goroutine to take it (a token
// nobody takes is harmless: whoever finds it checks again).
func leadUntil(w *waiter) {
	defer func() {
		lead.Lock()
		leading = false
		lead.Unlock()
		select {
		case leadFree <- struct{}{}:
		default:
		}
	}()
	q, f := completions.queue, completions.socket
	tags := completions.tags // only the leader uses these buffers
	for {
		select {
		case <-w.done:
			return
		default:
		}
		if _, err := f.Read(completions.wake); err != nil {
			// The library keeps the writing end open as long as the
			// queue lives, which is the process's lifetime.
			panic("hsession: completion queue socket failed: " + err.Error())
		}
		// Drain until a poll comes back short: only then does the next
		// push write a new wake-up byte, which the next leader waits for.
		for {
			n := int(C.hsession_queue_poll(q, &tags[0], C.size_t(len(tags))))
			for _, tag := range tags[:n] {
				h := cgo.Handle(tag)
				done := h.Value().(*waiter).done
				h.Delete()
				done <- struct{}{} // buffered, never blocks
			}
			if n < len(tags) {
				break
			}
		}
	}
}
