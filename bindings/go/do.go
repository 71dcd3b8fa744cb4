package hsession

/*
#include <stdint.h>
#include "hsession.h"

// Declared in ffi.go's preamble.
hsession_result hs_send_packed(const hsession *s, const uint8_t *data, size_t len,
                               uintptr_t handle, hsession_call **call, hsession_error **err);
hsession_result hs_send_packed_reader(const hsession *s, const uint8_t *data, size_t len,
                                      uintptr_t reader_id, int64_t length, uintptr_t handle,
                                      hsession_call **call, hsession_error **err);
*/
import "C"

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"runtime"
	"runtime/cgo"
	"strings"
	"sync"
	"unsafe"
)

var packBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// putPackBuffer gives packed's memory back to packBuffers once the library
// has copied it; a big body's buffer is not kept around.
func putPackBuffer(bufp *[]byte, packed []byte) {
	if cap(packed) <= 64<<10 {
		*bufp = packed[:0]
		packBuffers.Put(bufp)
	}
}

// Do sends r with the session's defaults and returns its response. Any
// number of goroutines can wait on requests at once: at most 16 requests
// (process-wide) hold an OS thread in a blocking call, the rest wait in the
// library without one (blocking.go). When ctx is cancelled or its
// deadline passes, the request is cancelled in the library (its connection
// closed, not pooled) and Do returns an *Error with CodeCancelled that
// unwraps to ctx.Err(). For a streamed response, ctx also bounds reading
// the body.
func (s *Session) Do(ctx context.Context, r *Request) (*Response, error) {
	return s.do(ctx, r, false)
}

func (s *Session) do(ctx context.Context, r *Request, noRedirects bool) (*Response, error) {
	if ctx == nil {
		ctx = context.Background()
	}
	if r == nil {
		return nil, &Error{Code: CodeNullArgument, Message: "nil *Request"}
	}
	if err := ctx.Err(); err != nil {
		return nil, &Error{Code: CodeCancelled, Message: "the context ended before the request started", ctxErr: err}
	}
	bufp := packBuffers.Get().(*[]byte)
	packed, stream, err := r.pack(*bufp, noRedirects)
	if err != nil {
		packBuffers.Put(bufp)
		return nil, err
	}
	if stream == nil && !r.Stream && takeBlockingSlot() {
		// A buffered request: one blocking call on this thread (blocking.go).
		resp, err := s.requestBlocking(ctx, packed)
		releaseBlockingSlot()
		// On the library's own threads (an io.Reader body's Read runs on
		// one) a blocking call is refused before anything is sent: such a
		// request takes the asynchronous path below.
		if e, ok := err.(*Error); !ok || e.Code != CodeWrongThread {
			putPackBuffer(bufp, packed)
			if err != nil {
				return nil, err
			}
			return newResponse(ctx, s, cHandles{resp: resp}, false)
		}
	}
	w := &waiter{done: make(chan struct{}, 1)}
	h := cgo.NewHandle(w)
	var readerID uintptr
	var call *C.hsession_call
	var e *C.hsession_error
	var rc C.hsession_result

	s.mu.RLock()
	if s.ptr == nil {
		s.mu.RUnlock()
		h.Delete()
		packBuffers.Put(bufp)
		return nil, ErrClosed
	}
	data := (*C.uint8_t)(unsafe.Pointer(unsafe.SliceData(packed)))
	if stream == nil {
		rc = C.hs_send_packed(s.ptr, data, C.size_t(len(packed)), C.uintptr_t(h), &call, &e)
	} else {
		length := r.ContentLength
		if length <= 0 {
			length = -1
		}
		readerID = registerReader(stream)
		rc = C.hs_send_packed_reader(s.ptr, data, C.size_t(len(packed)), C.uintptr_t(readerID),
			C.int64_t(length), C.uintptr_t(h), &call, &e)
	}
	s.mu.RUnlock()
	runtime.KeepAlive(packed)
	putPackBuffer(bufp, packed)

	if rc != C.HSESSION_OK {
		// Not started: the callback will not run.
		h.Delete()
		if readerID != 0 {
			unregisterReader(readerID)
		}
		return nil, errorFrom(rc, e)
	}
	select {
	case <-w.done:
	case <-ctx.Done():
		C.hsession_call_cancel(call)
		<-w.done // the callback follows within milliseconds
	}
	if readerID != 0 {
		unregisterReader(readerID)
	}
	// The session must outlive the request: its cleanup would cancel it.
	runtime.KeepAlive(s)
	if w.rc != C.HSESSION_OK {
		C.hsession_call_free(call)
		err := errorFrom(w.rc, w.err).(*Error)
		if err.Code == CodeCancelled {
			err.ctxErr = ctx.Err()
		}
		return nil, err
	}
	return newResponse(ctx, s, cHandles{resp: w.resp, call: call}, r.Stream)
}

// Get sends a GET.
func (s *Session) Get(ctx context.Context, rawURL string) (*Response, error) {
	return s.Do(ctx, &Request{Method: http.MethodGet, URL: rawURL})
}

// Head sends a HEAD.
func (s *Session) Head(ctx context.Context, rawURL string) (*Response, error) {
	return s.Do(ctx, &Request{Method: http.MethodHead, URL: rawURL})
}

// Delete sends a DELETE.
func (s *Session) Delete(ctx context.Context, rawURL string) (*Response, error) {
	return s.Do(ctx, &Request{Method: http.MethodDelete, URL: rawURL})
}

func (s *Session) withBody(ctx context.Context, method, rawURL, contentType string, body io.Reader) (*Response, error) {
	r := &Request{Method: method, URL: rawURL, Body: body}
	if contentType != "" {
		r.Header = http.Header{"Content-Type": {contentType}}
	}
	return s.Do(ctx, r)
}

// Post sends a POST with body and, unless empty, that Content-Type.
func (s *Session) Post(ctx context.Context, rawURL, contentType string, body io.Reader) (*Response, error) {
	return s.withBody(ctx, http.MethodPost, rawURL, contentType, body)
}

// PostForm sends a POST with form as application/x-www-form-urlencoded
// (requests' data={...}).
func (s *Session) PostForm(ctx context.Context, rawURL string, form url.Values) (*Response, error) {
	return s.withBody(ctx, http.MethodPost, rawURL, "application/x-www-form-urlencoded",
		strings.NewReader(form.Encode()))
}

// Put sends a PUT.
func (s *Session) Put(ctx context.Context, rawURL, contentType string, body io.Reader) (*Response, error) {
	return s.withBody(ctx, http.MethodPut, rawURL, contentType, body)
}

// Patch sends a PATCH.
func (s *Session) Patch(ctx context.Context, rawURL, contentType string, body io.Reader) (*Response, error) {
	return s.withBody(ctx, http.MethodPatch, rawURL, contentType, body)
}
