package hsession

// #include "hsession.h"
import "C"

import (
	"bytes"
	"encoding/binary"
	"io"
	"math"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Request is one HTTP request. Only Method and URL are required; every
// other field left at its zero value means "the session's setting".
type Request struct {
	Method string // "GET" when empty
	URL    string // absolute http:// or https:// URL

	// Header is added to the session's headers; a name set here replaces
	// the session header of that name for this request.
	Header http.Header
	// RemoveHeaders are session headers not sent with this request
	// ("Authorization" also drops the session auth).
	RemoveHeaders []string
	// Query parameters are added to the URL (a key here replaces the
	// session's parameters of that key).
	Query url.Values
	// Cookies are sent with this request only and never enter the jar.
	Cookies []*http.Cookie

	// Body is the request body. A *bytes.Buffer, *bytes.Reader or
	// *strings.Reader (what NewRequest and the helpers pass) is copied to
	// the library in one go, so it can be replayed by retries and 307/308
	// redirects. Any other reader is streamed to the server while the
	// request is sent (chunked unless ContentLength > 0) and cannot be
	// replayed: a 307/308 redirect is then returned as the response, and
	// the request is never retried.
	Body io.Reader
	// ContentLength of a streamed Body, if known; 0 means unknown.
	ContentLength int64
	// BodyFile streams the file at this path as the body (its size is the
	// Content-Length), opened anew for each send.
	BodyFile string
	// Multipart parts make a multipart/form-data body (requests' data= and
	// files=); hsession sets Content-Type and the boundary.
	Multipart []Part

	// Auth overrides the session's auth: BasicAuth, DigestAuth, BearerAuth
	// or NoAuth.
	Auth Auth

	// Timeouts for this request; 0 keeps the session's, NoLimit removes it.
	ConnectTimeout, ReadTimeout, Timeout time.Duration
	// MaxRedirects: 0 keeps the session's; NoRedirects returns a redirect
	// response as it is.
	MaxRedirects int
	// MaxBodySize in bytes; 0 keeps the session's, NoLimit removes it. It
	// also bounds a streamed body.
	MaxBodySize int64
	// Stream returns the response as soon as its headers arrive; Body then
	// reads from the network while the body arrives, in constant memory.
	Stream bool
	// Retry replaces the session's retry policy for this request.
	Retry *Retry
}

// NoLimit, as a timeout or MaxBodySize of a Request, removes the session's limit.
const NoLimit = -1

// NoRedirects as Request.MaxRedirects returns redirect responses unfollowed.
const NoRedirects = -1

// Part is one part of a multipart/form-data body: a text field (Value) or
// a file streamed from FilePath (FileName defaults to the path's last
// element, ContentType is guessed from the extension when empty).
type Part struct {
	Name        string
	Value       string
	FilePath    string
	FileName    string
	ContentType string
}

// Auth is a per-request authorization: BasicAuth, DigestAuth, BearerAuth or NoAuth.
type Auth interface{ pack(*packer) }

// BasicAuth is HTTP basic auth for one request.
type BasicAuth struct{ User, Password string }

// DigestAuth answers the server's Digest challenge (RFC 7616) for one
// request, as Session.SetDigestAuth does for every request.
type DigestAuth struct{ User, Password string }

// BearerAuth is "Authorization: Bearer <token>" for one request.
type BearerAuth string

// NoAuth sends the request without the session's auth.
type NoAuth struct{}

func (a BasicAuth) pack(p *packer)  { p.pair(C.HSESSION_PACKED_BASIC_AUTH, a.User, a.Password) }
func (a DigestAuth) pack(p *packer) { p.pair(C.HSESSION_PACKED_DIGEST_AUTH, a.User, a.Password) }
func (a BearerAuth) pack(p *packer) { p.str(C.HSESSION_PACKED_BEARER_AUTH, string(a)) }
func (NoAuth) pack(p *packer)       { p.field(C.HSESSION_PACKED_NO_AUTH, nil) }

// NewRequest returns a request for method and URL with body (nil for none).
func NewRequest(method, rawURL string, body io.Reader) *Request {
	return &Request{Method: method, URL: rawURL, Body: body}
}

// packer writes the packed request format (docs/packed-format.md): fields
// of tag u8 (the header's HSESSION_PACKED_* constants), length u32 LE, payload.
type packer struct{ b []byte }

func (p *packer) head(tag byte, n int) {
	p.b = append(p.b, tag)
	p.b = binary.LittleEndian.AppendUint32(p.b, uint32(n))
}

func (p *packer) field(tag byte, payload []byte) {
	p.head(tag, len(payload))
	p.b = append(p.b, payload...)
}

func (p *packer) str(tag byte, s string) {
	p.head(tag, len(s))
	p.b = append(p.b, s...)
}

// pair: a u32-prefixed first string, the second takes the rest.
func (p *packer) pair(tag byte, a, b string) {
	p.head(tag, 4+len(a)+len(b))
	p.b = binary.LittleEndian.AppendUint32(p.b, uint32(len(a)))
	p.b = append(p.b, a...)
	p.b = append(p.b, b...)
}

func (p *packer) u64(tag byte, v uint64) {
	p.head(tag, 8)
	p.b = binary.LittleEndian.AppendUint64(p.b, v)
}

func (p *packer) prefixed(s string) {
	p.b = binary.LittleEndian.AppendUint32(p.b, uint32(len(s)))
	p.b = append(p.b, s...)
}

func timeoutMs(d time.Duration) uint64 {
	if d < 0 {
		return 0 // NoLimit
	}
	ms := d.Milliseconds()
	if ms == 0 {
		ms = 1
	}
	return uint64(ms)
}

// replayable bodies are copied into the packed request.
func bufferedBody(r io.Reader) ([]byte, bool) {
	switch b := r.(type) {
	case *bytes.Buffer:
		return b.Bytes(), true
	case *bytes.Reader:
		out := make([]byte, b.Len())
		n, _ := b.ReadAt(out, b.Size()-int64(b.Len()))
		return out[:n], true
	case *strings.Reader:
		out := make([]byte, b.Len())
		n, _ := b.ReadAt(out, b.Size()-int64(b.Len()))
		return out[:n], true
	}
	return nil, false
}

// pack encodes r; a body that must be streamed is returned separately.
func (r *Request) pack(buf []byte, forceNoRedirects bool) ([]byte, io.Reader, error) {
	p := packer{b: buf[:0]}
	method := r.Method
	if method == "" {
		method = http.MethodGet
	}
	p.str(C.HSESSION_PACKED_METHOD, method)
	p.str(C.HSESSION_PACKED_URL, r.URL)
	for name, values := range r.Header {
		for _, v := range values {
			p.pair(C.HSESSION_PACKED_HEADER, name, v)
		}
	}
	for _, name := range r.RemoveHeaders {
		p.str(C.HSESSION_PACKED_REMOVE_HEADER, name)
	}
	if len(r.Query) > 0 {
		keys := make([]string, 0, len(r.Query))
		for k := range r.Query {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			for _, v := range r.Query[k] {
				p.pair(C.HSESSION_PACKED_QUERY, k, v)
			}
		}
	}
	for _, c := range r.Cookies {
		p.pair(C.HSESSION_PACKED_COOKIE, c.Name, c.Value)
	}
	if r.Auth != nil {
		r.Auth.pack(&p)
	}
	if r.ConnectTimeout != 0 {
		p.u64(C.HSESSION_PACKED_CONNECT_TIMEOUT, timeoutMs(r.ConnectTimeout))
	}
	if r.ReadTimeout != 0 {
		p.u64(C.HSESSION_PACKED_READ_TIMEOUT, timeoutMs(r.ReadTimeout))
	}
	if r.Timeout != 0 {
		p.u64(C.HSESSION_PACKED_TOTAL_TIMEOUT, timeoutMs(r.Timeout))
	}
	switch {
	case forceNoRedirects || r.MaxRedirects < 0:
		p.head(C.HSESSION_PACKED_MAX_REDIRECTS, 4)
		p.b = binary.LittleEndian.AppendUint32(p.b, 0)
	case r.MaxRedirects > 0:
		p.head(C.HSESSION_PACKED_MAX_REDIRECTS, 4)
		p.b = binary.LittleEndian.AppendUint32(p.b, uint32(min(r.MaxRedirects, math.MaxUint32)))
	}
	switch {
	case r.MaxBodySize < 0:
		p.u64(C.HSESSION_PACKED_MAX_BODY_SIZE, 0)
	case r.MaxBodySize > 0:
		p.u64(C.HSESSION_PACKED_MAX_BODY_SIZE, uint64(r.MaxBodySize))
	}
	if r.Stream {
		p.field(C.HSESSION_PACKED_STREAM, []byte{1})
	}
	for _, part := range r.Multipart {
		if part.FilePath == "" {
			p.pair(C.HSESSION_PACKED_FORM_FIELD, part.Name, part.Value)
			continue
		}
		p.head(C.HSESSION_PACKED_FORM_FILE, 16+len(part.Name)+len(part.FilePath)+len(part.FileName)+len(part.ContentType))
		p.prefixed(part.Name)
		p.prefixed(part.FilePath)
		p.prefixed(part.FileName)
		p.prefixed(part.ContentType)
	}
	if r.BodyFile != "" {
		p.str(C.HSESSION_PACKED_BODY_FILE, r.BodyFile)
	}
	if r.Retry != nil {
		for _, st := range r.Retry.StatusForcelist {
			if st < 100 || st > 599 {
				return nil, nil, &Error{Code: CodeInvalidArgument, Message: "retry status " + strconv.Itoa(st) + " is not 100..599"}
			}
		}
		packRetry(&p, r.Retry)
	}
	var stream io.Reader
	if r.Body != nil && r.Body != http.NoBody {
		if b, ok := bufferedBody(r.Body); ok {
			p.field(C.HSESSION_PACKED_BODY, b)
		} else {
			stream = r.Body
		}
	}
	return p.b, stream, nil
}

func packRetry(p *packer, r *Retry) {
	methods := "DELETE,GET,HEAD,OPTIONS,PUT,TRACE"
	if r.AllowedMethods != nil {
		methods = joinComma(r.AllowedMethods)
	}
	p.head(C.HSESSION_PACKED_RETRY, 4*8+3*8+2+4+2*len(r.StatusForcelist)+len(methods))
	for _, n := range []int{r.Total, r.Connect, r.Read, r.Status} {
		p.b = binary.LittleEndian.AppendUint64(p.b, uint64(int64(n)))
	}
	for _, d := range []time.Duration{r.BackoffFactor, r.BackoffMax, r.BackoffJitter} {
		p.b = binary.LittleEndian.AppendUint64(p.b, math.Float64bits(d.Seconds()))
	}
	p.b = append(p.b, boolByte(r.RespectRetryAfter), boolByte(r.RaiseOnStatus))
	p.b = binary.LittleEndian.AppendUint32(p.b, uint32(len(r.StatusForcelist)))
	for _, s := range r.StatusForcelist {
		p.b = binary.LittleEndian.AppendUint16(p.b, uint16(s))
	}
	p.b = append(p.b, methods...)
}

func boolByte(b bool) byte {
	if b {
		return 1
	}
	return 0
}
