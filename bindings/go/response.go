package hsession

/*
#include "hsession.h"
*/
import "C"

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"runtime"
	"strconv"
	"sync"
	"time"
	"unsafe"
)

// Response is an HTTP response. An HTTP error status (404, 503) is a
// response, not an error. Close Body when done (Bytes, Text and JSON do):
// until then it holds the library's response (and, when streamed, its
// connection); a body never closed is freed by a cleanup once unreachable.
type Response struct {
	StatusCode int
	Status     string // "200 OK"
	Reason     string // "OK"
	Proto      string // "HTTP/1.1", "HTTP/2"
	Header     http.Header
	// Body reads the decoded body. Without Request.Stream the whole body
	// is already in the library's memory and Read copies from there (no
	// other copy is made); with Stream it is read from the network.
	Body io.ReadCloser
	// URL is the final URL, after redirects.
	URL string
	// History lists the redirects followed, first to last.
	History []Redirect
	// Retries is the number of retries the retry policy made.
	Retries int
	// Elapsed is the time from the call to the last byte (to the headers
	// for a streamed response).
	Elapsed time.Duration
	// Timings are the final exchange's phases and connection (timings.go).
	Timings Timings
}

// Redirect is one redirect hop: its status and the URL that answered it.
type Redirect struct {
	StatusCode int
	URL        string
	// Timings are this hop's phases and connection.
	Timings Timings
}

// Bytes reads the whole body and closes it.
func (r *Response) Bytes() ([]byte, error) {
	defer r.Body.Close()
	return io.ReadAll(r.Body)
}

// Text reads the whole body as a string and closes it.
func (r *Response) Text() (string, error) {
	b, err := r.Bytes()
	return string(b), err
}

// JSON decodes the body into v and closes it.
func (r *Response) JSON(v any) error {
	defer r.Body.Close()
	return json.NewDecoder(r.Body).Decode(v)
}

// cHandles are what a body's cleanup frees: C pointers only, so the
// cleanup never keeps the body reachable.
type cHandles struct {
	resp *C.hsession_response
	call *C.hsession_call
}

func (h cHandles) free() {
	C.hsession_call_free(h.call)
	C.hsession_response_free(h.resp)
}

// body is Response.Body.
type body struct {
	mu     sync.Mutex // one reader at a time; Close waits for a read in progress
	c      cHandles
	data   []byte // a view of the library's memory (not streamed)
	off    int
	stream bool
	ctx    context.Context
	err    error // sticky after the end or a failure
	closed bool

	session *Session // set while streaming: keeps the session alive

	cmu     sync.Mutex // guards c.call against Close while a cancel runs
	stopCtx func() bool
	cleanup runtime.Cleanup
}

func newBody(ctx context.Context, h cHandles, data []byte, stream bool) *body {
	b := &body{c: h, data: data, stream: stream, ctx: ctx}
	b.cleanup = runtime.AddCleanup(b, cHandles.free, h)
	if stream && ctx.Done() != nil {
		// A context ending while the body streams stops the download; a
		// Read in progress returns at once.
		b.stopCtx = context.AfterFunc(ctx, b.cancel)
	}
	return b
}

func (b *body) cancel() {
	b.cmu.Lock()
	if b.c.call != nil {
		C.hsession_call_cancel(b.c.call)
	}
	b.cmu.Unlock()
}

func (b *body) Read(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return 0, errors.New("hsession: read on closed body")
	}
	if b.err != nil {
		return 0, b.err
	}
	if len(p) == 0 {
		return 0, nil
	}
	if !b.stream {
		n := copy(p, b.data[b.off:])
		b.off += n
		runtime.KeepAlive(b) // b.data is C memory the cleanup of b frees
		if b.off == len(b.data) {
			b.err = io.EOF
			if n == 0 {
				return 0, io.EOF
			}
		}
		return n, nil
	}
	var n C.size_t
	var e *C.hsession_error
	rc := C.hsession_response_read(b.c.resp, (*C.uint8_t)(unsafe.Pointer(&p[0])), C.size_t(len(p)), &n, &e)
	runtime.KeepAlive(b)
	if rc != C.HSESSION_OK {
		err := errorFrom(rc, e).(*Error)
		if rc == C.HSESSION_CANCELLED {
			err.ctxErr = b.ctx.Err()
		}
		b.err = err
		return 0, err
	}
	if n == 0 {
		b.err = io.EOF
		return 0, io.EOF
	}
	return int(n), nil
}

// WriteTo writes the rest of the body to w (io.Copy uses it): straight from
// the library's memory when not streamed.
func (b *body) WriteTo(w io.Writer) (int64, error) {
	if b.stream {
		var total int64
		buf := make([]byte, 64<<10)
		for {
			n, err := b.Read(buf)
			if n > 0 {
				m, werr := w.Write(buf[:n])
				total += int64(m)
				if werr != nil {
					return total, werr
				}
			}
			if err == io.EOF {
				return total, nil
			}
			if err != nil {
				return total, err
			}
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return 0, errors.New("hsession: read on closed body")
	}
	n, err := w.Write(b.data[b.off:])
	runtime.KeepAlive(b)
	b.off += n
	if b.off == len(b.data) {
		b.err = io.EOF
	}
	return int64(n), err
}

// Close frees the response; a streamed body not read to the end stops
// downloading and its connection is closed rather than pooled. Idempotent.
func (b *body) Close() error {
	if b.stopCtx != nil {
		b.stopCtx()
	}
	if b.stream {
		b.cancel() // ends a Read in progress, which holds b.mu
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil
	}
	b.closed = true
	b.cleanup.Stop()
	b.cmu.Lock()
	b.c.free()
	b.c = cHandles{}
	b.data = nil
	b.cmu.Unlock()
	return nil
}

// headReader reads the packed response head (docs/packed-format.md).
// Strings are substrings of one Go copy of the head: one allocation.
type headReader struct {
	s   string
	off int
	bad bool
}

func (h *headReader) u32() uint32 {
	if h.off+4 > len(h.s) {
		h.bad = true
		return 0
	}
	v := uint32(h.s[h.off]) | uint32(h.s[h.off+1])<<8 | uint32(h.s[h.off+2])<<16 | uint32(h.s[h.off+3])<<24
	h.off += 4
	return v
}

func (h *headReader) u64() uint64 {
	lo := uint64(h.u32())
	return lo | uint64(h.u32())<<32
}

func (h *headReader) str() string {
	n := int(h.u32())
	if h.bad || h.off+n > len(h.s) {
		h.bad = true
		return ""
	}
	v := h.s[h.off : h.off+n]
	h.off += n
	return v
}

// Canonical forms of common header names, to avoid one allocation per
// header (the library gives names in lower case).
var canonical = map[string]string{}

func init() {
	for _, n := range []string{"Content-Type", "Content-Length", "Date", "Server", "Set-Cookie",
		"Connection", "Keep-Alive", "Location", "Cache-Control", "Etag", "Last-Modified",
		"Transfer-Encoding", "Vary", "Www-Authenticate", "Retry-After", "Expires", "Age",
		"Access-Control-Allow-Origin", "Content-Encoding", "Accept-Ranges", "Strict-Transport-Security"} {
		canonical[http.CanonicalHeaderKey(n)] = n
		canonical[lower(n)] = n
	}
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func canonicalKey(name string) string {
	if c, ok := canonical[name]; ok {
		return c
	}
	return http.CanonicalHeaderKey(name)
}

// newResponse reads the packed head of resp and wraps its body. It takes
// ownership of resp and call.
func newResponse(ctx context.Context, s *Session, h cHandles, stream bool) (*Response, error) {
	var head, bodyPtr *C.uint8_t
	var headLen, bodyLen C.size_t
	if rc := C.hsession_response_packed(h.resp, &head, &headLen, &bodyPtr, &bodyLen); rc != C.HSESSION_OK {
		h.free()
		return nil, errorFrom(rc, nil)
	}
	hr := headReader{s: C.GoStringN((*C.char)(unsafe.Pointer(head)), C.int(headLen))}
	r := &Response{}
	r.StatusCode = int(hr.u32())
	r.Elapsed = time.Duration(hr.u64()) * time.Microsecond
	r.Retries = int(hr.u32())
	r.Proto = hr.str()
	r.Reason = hr.str()
	r.URL = hr.str()
	r.Status = strconv.Itoa(r.StatusCode) + " " + r.Reason
	n := int(hr.u32())
	if n > len(hr.s) {
		hr.bad = true // more headers than bytes: a malformed head
		n = 0
	}
	r.Header = make(http.Header, n)
	// One backing array for every header's first value (as net/textproto
	// does); a repeated header's append copies out of it.
	values := make([]string, n)
	for i := 0; i < n && !hr.bad; i++ {
		k := canonicalKey(hr.str())
		v := hr.str()
		if old, ok := r.Header[k]; ok {
			r.Header[k] = append(old, v)
			continue
		}
		values[i] = v
		r.Header[k] = values[i : i+1 : i+1]
	}
	if nh := int(hr.u32()); nh > 0 && !hr.bad {
		r.History = make([]Redirect, 0, nh)
		for i := 0; i < nh && !hr.bad; i++ {
			st := int(hr.u32())
			r.History = append(r.History, Redirect{StatusCode: st, URL: hr.str()})
		}
	}
	hr.readTimings(r)
	if hr.bad {
		h.free()
		return nil, &Error{Code: CodeInternal, Message: "malformed packed response head"}
	}
	trace(ctx, r)
	if !stream {
		// The body is complete: the call is no longer needed.
		C.hsession_call_free(h.call)
		h.call = nil
		if bodyLen == 0 {
			C.hsession_response_free(h.resp)
			r.Body = http.NoBody
			return r, nil
		}
	}
	b := newBody(ctx, h, cBytes(bodyPtr, bodyLen), stream)
	if stream {
		// Freeing the session stops its downloads: a body being streamed
		// keeps a forgotten session from its cleanup.
		b.session = s
	}
	r.Body = b
	return r, nil
}
