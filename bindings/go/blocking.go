package hsession

// Requests sent by a blocking C call on the calling goroutine's own thread.
//
// A buffered request (not streamed, body in memory) runs as one blocking
// cgo call: Go's scheduler treats it like a blocking system call, so the
// goroutine's P goes on running other goroutines meanwhile, and the
// response comes back on the same thread with no callback thread, no
// channel and no goroutine wake-up in between. Measured with
// `make bench-bindings-go` (bindings/go/README.md, "Performance"), this
// costs far less CPU per request than the asynchronous call with a
// completion callback, sequentially and with 8 goroutines.
//
// A blocking call holds an OS thread, so at most maxBlockingCalls run at
// once (process-wide); requests beyond that take the asynchronous path,
// which holds no thread. Cancellation uses cancel tokens: a request whose
// context can end gets its own token, fired from context.AfterFunc; every
// request also obeys its session's token, which Close fires, so Close still
// ends requests in flight (with ErrCancelled) before freeing the session.

/*
#include <stdint.h>
#include "hsession.h"

// Declared in ffi.go's preamble.
hsession_result hs_request_packed_token(const hsession *s, const uint8_t *data, size_t len,
                                        const hsession_cancel_token *token,
                                        hsession_response **resp, hsession_error **err);
*/
import "C"

import (
	"context"
	"sync"
	"sync/atomic"
	"unsafe"
)

// maxBlockingCalls bounds the OS threads that blocking requests hold: the
// 17th request in flight at once (and every one after it) waits without a
// thread, on the asynchronous path.
const maxBlockingCalls = 16

var blockingCalls atomic.Int32

// takeBlockingSlot reserves one of the maxBlockingCalls slots, or reports
// that all are taken; a reserved slot is given back with releaseBlockingSlot.
func takeBlockingSlot() bool {
	if blockingCalls.Add(1) <= maxBlockingCalls {
		return true
	}
	blockingCalls.Add(-1)
	return false
}

func releaseBlockingSlot() { blockingCalls.Add(-1) }

// ctxToken is a request's own cancel token, fired when its context ends or
// its session closes. mu keeps fire from using the token once it is freed.
type ctxToken struct {
	mu  sync.Mutex
	tok *C.hsession_cancel_token
}

func (c *ctxToken) fire() {
	c.mu.Lock()
	if c.tok != nil {
		C.hsession_cancel_token_cancel(c.tok)
	}
	c.mu.Unlock()
}

// sessionTokens is the part of a Session that cancels its blocking
// requests: its own token, and the tokens of requests with a context.
type sessionTokens struct {
	mu      sync.Mutex
	closing bool
	own     *C.hsession_cancel_token
	calls   map[*ctxToken]struct{}
}

// cancelAll fires every token: the first step of Close.
func (t *sessionTokens) cancelAll() {
	t.mu.Lock()
	t.closing = true
	if t.own != nil {
		C.hsession_cancel_token_cancel(t.own)
	}
	for c := range t.calls {
		c.fire()
	}
	t.mu.Unlock()
}

// requestBlocking sends packed with a blocking C call. The caller holds a
// blocking slot; s.mu is held for reading during the call, which Close's
// cancelAll ends within milliseconds.
func (s *Session) requestBlocking(ctx context.Context, packed []byte) (*C.hsession_response, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.ptr == nil {
		return nil, ErrClosed
	}
	tok := s.tokens.own
	var mine *ctxToken
	if ctx.Done() != nil {
		mine = &ctxToken{}
		if rc := C.hsession_cancel_token_new(&mine.tok); rc != C.HSESSION_OK {
			return nil, errorFrom(rc, nil)
		}
		s.tokens.mu.Lock()
		if s.tokens.closing {
			C.hsession_cancel_token_cancel(mine.tok)
		}
		if s.tokens.calls == nil {
			s.tokens.calls = make(map[*ctxToken]struct{})
		}
		s.tokens.calls[mine] = struct{}{}
		s.tokens.mu.Unlock()
		tok = mine.tok
		stop := context.AfterFunc(ctx, mine.fire)
		defer func() {
			stop()
			s.tokens.mu.Lock()
			delete(s.tokens.calls, mine)
			s.tokens.mu.Unlock()
			mine.mu.Lock() // waits for a fire in progress
			C.hsession_cancel_token_free(mine.tok)
			mine.tok = nil
			mine.mu.Unlock()
		}()
	}
	var resp *C.hsession_response
	var e *C.hsession_error
	data := (*C.uint8_t)(unsafe.Pointer(unsafe.SliceData(packed)))
	rc := C.hs_request_packed_token(s.ptr, data, C.size_t(len(packed)), tok, &resp, &e)
	if rc != C.HSESSION_OK {
		err := errorFrom(rc, e).(*Error)
		if err.Code == CodeCancelled {
			err.ctxErr = ctx.Err()
		}
		return nil, err
	}
	return resp, nil
}
