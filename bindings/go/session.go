package hsession

/*
#include <stdlib.h>
#include "hsession.h"
*/
import "C"

import (
	"runtime"
	"sync"
	"time"
)

// Session is a persistent HTTP session: one connection pool, one cookie
// jar, default headers, auth, query parameters, timeouts, retries, proxies
// and TLS settings. It is safe for use by any number of goroutines; setters
// apply to requests started after they return. Close it when done.
type Session struct {
	// mu guards ptr: every C call on the session holds it for reading, so
	// Close (writing) never frees the handle under a call. Asynchronous
	// requests hold it only while they are started; blocking ones while
	// they run, which is why Close cancels them (tokens) before locking.
	mu      sync.RWMutex
	ptr     *C.hsession
	tokens  sessionTokens // cancels blocking requests on Close (blocking.go)
	cleanup runtime.Cleanup
}

// sessionHandles are what a forgotten session's cleanup frees: C pointers
// only, so the cleanup never keeps the session reachable.
type sessionHandles struct {
	ptr *C.hsession
	tok *C.hsession_cancel_token
}

// An Option configures a session in New. Each is the matching Set… method
// applied before New returns.
type Option func(*Session) error

// New creates a session with the library's defaults (docs/behaviour.md, "Session
// behaviour and defaults": connect timeout 10 s, read-idle 30 s, total
// 300 s, User-Agent "hsession/VERSION", no retries, 30 redirects, TLS
// verification on), then applies opts in order. If an option fails, the
// session is closed and the option's error returned.
func New(opts ...Option) (*Session, error) {
	var p *C.hsession
	var e *C.hsession_error
	if rc := C.hsession_new(&p, &e); rc != C.HSESSION_OK {
		return nil, errorFrom(rc, e)
	}
	var tok *C.hsession_cancel_token
	if rc := C.hsession_cancel_token_new(&tok); rc != C.HSESSION_OK {
		C.hsession_free(p)
		return nil, errorFrom(rc, nil)
	}
	s := &Session{ptr: p}
	s.tokens.own = tok
	// A session the program forgot to Close is freed once unreachable.
	// The cleanup gets the C pointers, never s, so s can be collected.
	s.cleanup = runtime.AddCleanup(s, func(h sessionHandles) {
		C.hsession_free(h.ptr)
		C.hsession_cancel_token_free(h.tok)
	}, sessionHandles{p, tok})
	for _, opt := range opts {
		if err := opt(s); err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}

// Close frees the session: idle connections are closed, requests still in
// flight end with ErrCancelled, a cookie file set with SetCookieFile is
// saved. Responses already returned stay readable. Close is idempotent and
// safe to call concurrently with requests; calls after it fail with
// ErrClosed.
func (s *Session) Close() error {
	// Blocking requests hold s.mu for reading until they return: cancel
	// them first, or the lock would wait for them to finish.
	s.tokens.cancelAll()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ptr == nil {
		return nil
	}
	s.cleanup.Stop()
	C.hsession_free(s.ptr)
	s.ptr = nil
	s.tokens.mu.Lock()
	C.hsession_cancel_token_free(s.tokens.own)
	s.tokens.own = nil
	s.tokens.mu.Unlock()
	return nil
}

// with runs f with the C handle, holding the read lock; ErrClosed after Close.
func (s *Session) with(f func(p *C.hsession) C.hsession_result, e **C.hsession_error) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.ptr == nil {
		return ErrClosed
	}
	rc := f(s.ptr)
	runtime.KeepAlive(s)
	if rc != C.HSESSION_OK {
		var detail *C.hsession_error
		if e != nil {
			detail = *e
		}
		return errorFrom(rc, detail)
	}
	return nil
}

// set calls a C setter with a NUL-terminated copy of each string.
func (s *Session) set(f func(p *C.hsession, e **C.hsession_error, a []*C.char) C.hsession_result, strs ...string) error {
	cs := make([]*C.char, len(strs))
	for i, v := range strs {
		cs[i] = cString(v)
	}
	defer func() {
		for _, c := range cs {
			cFree(c)
		}
	}()
	var e *C.hsession_error
	return s.with(func(p *C.hsession) C.hsession_result { return f(p, &e, cs) }, &e)
}

func millis(d time.Duration) C.uint64_t {
	if d <= 0 {
		return 0
	}
	ms := d.Milliseconds()
	if ms == 0 {
		ms = 1 // a sub-millisecond timeout is not "no limit"
	}
	return C.uint64_t(ms)
}

// ---- headers, auth, query ----

// SetHeader sets a default header sent with every request, replacing its
// values. Names must be HTTP tokens and values free of control characters
// (CodeInvalidHeaderName/Value).
func (s *Session) SetHeader(name, value string) error {
	return s.set(func(p *C.hsession, e **C.hsession_error, a []*C.char) C.hsession_result {
		return C.hsession_set_header(p, a[0], a[1], e)
	}, name, value)
}

// AddHeader adds one more value to a default header.
func (s *Session) AddHeader(name, value string) error {
	return s.set(func(p *C.hsession, e **C.hsession_error, a []*C.char) C.hsession_result {
		return C.hsession_append_header(p, a[0], a[1], e)
	}, name, value)
}

// RemoveHeader removes a default header, the built-in User-Agent included.
func (s *Session) RemoveHeader(name string) error {
	return s.set(func(p *C.hsession, e **C.hsession_error, a []*C.char) C.hsession_result {
		return C.hsession_remove_header(p, a[0], e)
	}, name)
}

// SetBasicAuth sends HTTP basic auth with every request.
func (s *Session) SetBasicAuth(user, password string) error {
	return s.set(func(p *C.hsession, e **C.hsession_error, a []*C.char) C.hsession_result {
		return C.hsession_set_basic_auth(p, a[0], a[1], e)
	}, user, password)
}

// SetDigestAuth answers a server's Digest challenge (RFC 7616: MD5 or
// SHA-256, qop=auth) with user and password, as requests' HTTPDigestAuth:
// the first request to an origin gets the 401, is answered once, and later
// requests reuse the challenge. It replaces basic or bearer session auth.
func (s *Session) SetDigestAuth(user, password string) error {
	return s.set(func(p *C.hsession, e **C.hsession_error, a []*C.char) C.hsession_result {
		return C.hsession_set_digest_auth(p, a[0], a[1], e)
	}, user, password)
}

// SetBearerAuth sends "Authorization: Bearer token" with every request.
func (s *Session) SetBearerAuth(token string) error {
	return s.set(func(p *C.hsession, e **C.hsession_error, a []*C.char) C.hsession_result {
		return C.hsession_set_bearer_auth(p, a[0], e)
	}, token)
}

// ClearAuth stops sending session auth.
func (s *Session) ClearAuth() error {
	return s.with(func(p *C.hsession) C.hsession_result { return C.hsession_clear_auth(p) }, nil)
}

// AddQueryParam adds a query parameter to every request's URL.
func (s *Session) AddQueryParam(key, value string) error {
	return s.set(func(p *C.hsession, e **C.hsession_error, a []*C.char) C.hsession_result {
		return C.hsession_add_query_param(p, a[0], a[1], e)
	}, key, value)
}

// ClearQueryParams removes every session query parameter.
func (s *Session) ClearQueryParams() error {
	return s.with(func(p *C.hsession) C.hsession_result { return C.hsession_clear_query_params(p) }, nil)
}

// ---- timeouts, redirects, body size, pool ----

// SetConnectTimeout sets the default connect timeout (TCP and TLS); 0 means
// no limit. Default 10 s.
func (s *Session) SetConnectTimeout(d time.Duration) error {
	return s.with(func(p *C.hsession) C.hsession_result { return C.hsession_set_connect_timeout_ms(p, millis(d)) }, nil)
}

// SetReadTimeout sets the default read-idle timeout: the longest wait for
// the response headers, then for each next body chunk; 0 means no limit.
// Default 30 s.
func (s *Session) SetReadTimeout(d time.Duration) error {
	return s.with(func(p *C.hsession) C.hsession_result { return C.hsession_set_read_timeout_ms(p, millis(d)) }, nil)
}

// SetTimeout sets the default total timeout of a request, body included; 0
// means no limit. Default 300 s. (requests' `timeout=5`.)
func (s *Session) SetTimeout(d time.Duration) error {
	return s.with(func(p *C.hsession) C.hsession_result { return C.hsession_set_total_timeout_ms(p, millis(d)) }, nil)
}

// SetMaxRedirects sets how many redirects a request follows; 0 returns
// redirect responses as they are. Default 30.
func (s *Session) SetMaxRedirects(n int) error {
	if n < 0 {
		return &Error{Code: CodeInvalidArgument, Message: "max redirects must not be negative"}
	}
	return s.with(func(p *C.hsession) C.hsession_result { return C.hsession_set_max_redirects(p, C.size_t(n)) }, nil)
}

// SetRefuseDowngrade makes a redirect from https to http fail
// (CodeUnsupportedScheme) instead of being followed.
func (s *Session) SetRefuseDowngrade(refuse bool) error {
	return s.with(func(p *C.hsession) C.hsession_result { return C.hsession_set_refuse_downgrade(p, cBool(refuse)) }, nil)
}

// SetMaxBodySize sets the largest decoded response body accepted, in
// bytes; 0 means no limit. Default 256 MiB. Streamed bodies are bounded
// only by Request.MaxBodySize.
func (s *Session) SetMaxBodySize(n int64) error {
	if n < 0 {
		return &Error{Code: CodeInvalidArgument, Message: "max body size must not be negative"}
	}
	return s.with(func(p *C.hsession) C.hsession_result { return C.hsession_set_max_body_size(p, C.uint64_t(n)) }, nil)
}

// SetPoolIdleTimeout sets how long an idle pooled connection is kept; 0
// means forever. Default 30 s.
func (s *Session) SetPoolIdleTimeout(d time.Duration) error {
	var e *C.hsession_error
	return s.with(func(p *C.hsession) C.hsession_result {
		return C.hsession_set_pool_idle_timeout_ms(p, millis(d), &e)
	}, &e)
}

// SetHTTP2KeepAlive pings each pooled HTTP/2 connection every interval and
// closes one that does not answer within timeout, so a silently dead
// connection is found in seconds (its requests are sent again where that
// is safe). An interval of 0 turns pings off (the default); otherwise the
// timeout must be above 0.
func (s *Session) SetHTTP2KeepAlive(interval, timeout time.Duration) error {
	var e *C.hsession_error
	return s.with(func(p *C.hsession) C.hsession_result {
		return C.hsession_set_http2_keep_alive_ms(p, millis(interval), millis(timeout), &e)
	}, &e)
}

// SetPoolMaxIdlePerHost sets the most idle connections kept per host; 0
// disables reuse. Default 64.
func (s *Session) SetPoolMaxIdlePerHost(n int) error {
	if n < 0 {
		return &Error{Code: CodeInvalidArgument, Message: "max idle per host must not be negative"}
	}
	var e *C.hsession_error
	return s.with(func(p *C.hsession) C.hsession_result {
		return C.hsession_set_pool_max_idle_per_host(p, C.size_t(n), &e)
	}, &e)
}

// SetMaxConnsPerHost caps the connections open to one host (scheme, host
// and port) at n, like net/http's Transport.MaxConnsPerHost; 0 removes the
// cap (the default). A request beyond it waits for a connection to come
// free, at most the connect timeout, then fails with CodeConnectTimeout.
func (s *Session) SetMaxConnsPerHost(n int) error {
	if n < 0 {
		return &Error{Code: CodeInvalidArgument, Message: "max connections per host must not be negative"}
	}
	var e *C.hsession_error
	return s.with(func(p *C.hsession) C.hsession_result {
		return C.hsession_set_max_connections_per_host(p, C.size_t(n), &e)
	}, &e)
}

// ---- retries ----

// Retry is a retry policy with urllib3's Retry meaning. Build one with
// NewRetry, which sets the defaults; a count of -1 means no own limit.
type Retry struct {
	Total, Connect, Read, Status int
	// Before retry n >= 2 the sleep is BackoffFactor * 2^(n-1), at most
	// BackoffMax, plus up to BackoffJitter at random.
	BackoffFactor, BackoffMax, BackoffJitter time.Duration
	// StatusForcelist: statuses that are retried (urllib3's status_forcelist).
	StatusForcelist []int
	// AllowedMethods: methods retried after a read failure or a forcelist
	// status; nil keeps the default (DELETE, GET, HEAD, OPTIONS, PUT,
	// TRACE), []string{"*"} allows every method.
	AllowedMethods []string
	// RespectRetryAfter sleeps as Retry-After says on 413, 429 and 503.
	RespectRetryAfter bool
	// RaiseOnStatus: when status retries run out, fail with
	// CodeTooManyRetries; false returns the last response.
	RaiseOnStatus bool
}

// NewRetry is Retry(total=total) in urllib3: other counts unlimited, no
// backoff (max 120 s), Retry-After respected, raise on status.
func NewRetry(total int) Retry {
	return Retry{Total: total, Connect: -1, Read: -1, Status: -1, BackoffMax: 120 * time.Second,
		RespectRetryAfter: true, RaiseOnStatus: true}
}

// SetRetry sets the session's retry policy. The default is no retries.
// It makes several C calls: a request started while it runs may see part
// of the new policy. Request.Retry sets a whole policy for one request.
func (s *Session) SetRetry(r Retry) error {
	var e *C.hsession_error
	err := s.with(func(p *C.hsession) C.hsession_result {
		return C.hsession_set_retry(p, C.int64_t(r.Total), C.int64_t(r.Connect), C.int64_t(r.Read),
			C.int64_t(r.Status), C.double(r.BackoffFactor.Seconds()), C.double(r.BackoffMax.Seconds()),
			C.double(r.BackoffJitter.Seconds()), &e)
	}, &e)
	if err != nil {
		return err
	}
	codes := make([]C.uint16_t, len(r.StatusForcelist))
	for i, c := range r.StatusForcelist {
		if c < 0 || c > 0xffff {
			return &Error{Code: CodeInvalidArgument, Message: "status out of range"}
		}
		codes[i] = C.uint16_t(c)
	}
	err = s.with(func(p *C.hsession) C.hsession_result {
		var ptr *C.uint16_t
		if len(codes) > 0 {
			ptr = &codes[0]
		}
		return C.hsession_set_retry_statuses(p, ptr, C.size_t(len(codes)), &e)
	}, &e)
	if err != nil {
		return err
	}
	methods := "DELETE,GET,HEAD,OPTIONS,PUT,TRACE"
	if r.AllowedMethods != nil {
		methods = joinComma(r.AllowedMethods)
	}
	if err := s.set(func(p *C.hsession, e **C.hsession_error, a []*C.char) C.hsession_result {
		return C.hsession_set_retry_methods(p, a[0], e)
	}, methods); err != nil {
		return err
	}
	return s.with(func(p *C.hsession) C.hsession_result {
		return C.hsession_set_retry_flags(p, cBool(r.RespectRetryAfter), cBool(r.RaiseOnStatus))
	}, nil)
}

func joinComma(xs []string) string {
	out := ""
	for i, x := range xs {
		if i > 0 {
			out += ","
		}
		out += x
	}
	return out
}

func cBool(b bool) C.int32_t {
	if b {
		return 1
	}
	return 0
}

// ---- proxies ----

// SetProxy sends requests for scheme ("http", "https" or "all") through the
// proxy at proxyURL (http://, https://, socks5://, socks5h://, credentials as
// user:pass@, sent only to the proxy). An empty proxyURL removes it.
// Proxies set here replace the environment's.
func (s *Session) SetProxy(scheme, proxyURL string) error {
	cs := cString(scheme)
	defer cFree(cs)
	cu := optCString(proxyURL)
	defer cFree(cu)
	var e *C.hsession_error
	return s.with(func(p *C.hsession) C.hsession_result { return C.hsession_set_proxy(p, cs, cu, &e) }, &e)
}

// SetNoProxy sets the hosts that bypass every proxy (comma-separated
// domains, IPs, CIDR blocks or "*", each with an optional :port); it
// replaces NO_PROXY. An empty list removes it.
func (s *Session) SetNoProxy(list string) error {
	cl := optCString(list)
	defer cFree(cl)
	var e *C.hsession_error
	return s.with(func(p *C.hsession) C.hsession_result { return C.hsession_set_no_proxy(p, cl, &e) }, &e)
}

// SetTrustEnv chooses whether HTTP_PROXY, HTTPS_PROXY, ALL_PROXY and
// NO_PROXY apply where the session sets nothing (default true).
func (s *Session) SetTrustEnv(trust bool) error {
	var e *C.hsession_error
	return s.with(func(p *C.hsession) C.hsession_result { return C.hsession_set_trust_env(p, cBool(trust), &e) }, &e)
}

// ---- TLS ----

// SetVerify turns verification of server certificates and names on
// (default) or off (for tests only).
func (s *Session) SetVerify(verify bool) error {
	var e *C.hsession_error
	return s.with(func(p *C.hsession) C.hsession_result { return C.hsession_set_verify(p, cBool(verify), &e) }, &e)
}

// SetCAFile trusts only the CA certificates in the PEM file at path (they
// replace the platform roots); "" goes back to the platform roots.
func (s *Session) SetCAFile(path string) error {
	cp := optCString(path)
	defer cFree(cp)
	var e *C.hsession_error
	return s.with(func(p *C.hsession) C.hsession_result { return C.hsession_set_ca_file(p, cp, &e) }, &e)
}

// SetClientCert presents a client certificate (PEM chain, leaf first) and
// its key (PEM) for mutual TLS; both "" removes it.
func (s *Session) SetClientCert(certPath, keyPath string) error {
	var cc, ck *C.char
	if certPath != "" || keyPath != "" {
		cc, ck = cString(certPath), cString(keyPath)
		defer cFree(cc)
		defer cFree(ck)
	}
	var e *C.hsession_error
	return s.with(func(p *C.hsession) C.hsession_result { return C.hsession_set_client_cert(p, cc, ck, &e) }, &e)
}

// SetMinTLSVersion sets the lowest TLS version accepted: tls.VersionTLS12
// (default) or tls.VersionTLS13.
func (s *Session) SetMinTLSVersion(version uint16) error {
	var e *C.hsession_error
	return s.with(func(p *C.hsession) C.hsession_result {
		return C.hsession_set_min_tls_version(p, C.uint32_t(version), &e)
	}, &e)
}

// ---- counters ----

// RequestsSent is the number of HTTP requests sent (each redirect hop counts).
func (s *Session) RequestsSent() uint64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return uint64(C.hsession_requests_sent(s.ptr))
}

// ConnectionsOpened is the number of TCP connections the session opened.
func (s *Session) ConnectionsOpened() uint64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return uint64(C.hsession_connections_opened(s.ptr))
}

// ---- options ----

// WithHeader sets a default header (SetHeader).
func WithHeader(name, value string) Option {
	return func(s *Session) error { return s.SetHeader(name, value) }
}

// WithoutHeader removes a default header, e.g. the built-in User-Agent.
func WithoutHeader(name string) Option {
	return func(s *Session) error { return s.RemoveHeader(name) }
}

// WithBasicAuth sends basic auth with every request.
func WithBasicAuth(user, password string) Option {
	return func(s *Session) error { return s.SetBasicAuth(user, password) }
}

// WithDigestAuth answers Digest challenges with user and password (SetDigestAuth).
func WithDigestAuth(user, password string) Option {
	return func(s *Session) error { return s.SetDigestAuth(user, password) }
}

// WithBearerAuth sends a bearer token with every request.
func WithBearerAuth(token string) Option {
	return func(s *Session) error { return s.SetBearerAuth(token) }
}

// WithQueryParam adds a query parameter to every request.
func WithQueryParam(key, value string) Option {
	return func(s *Session) error { return s.AddQueryParam(key, value) }
}

// WithConnectTimeout sets the default connect timeout.
func WithConnectTimeout(d time.Duration) Option {
	return func(s *Session) error { return s.SetConnectTimeout(d) }
}

// WithReadTimeout sets the default read-idle timeout.
func WithReadTimeout(d time.Duration) Option {
	return func(s *Session) error { return s.SetReadTimeout(d) }
}

// WithTimeout sets the default total timeout.
func WithTimeout(d time.Duration) Option {
	return func(s *Session) error { return s.SetTimeout(d) }
}

// WithMaxRedirects sets the redirect limit (0: do not follow).
func WithMaxRedirects(n int) Option {
	return func(s *Session) error { return s.SetMaxRedirects(n) }
}

// WithRetry sets the retry policy.
func WithRetry(r Retry) Option {
	return func(s *Session) error { return s.SetRetry(r) }
}

// WithProxy sets a proxy for "http", "https" or "all".
func WithProxy(scheme, proxyURL string) Option {
	return func(s *Session) error { return s.SetProxy(scheme, proxyURL) }
}

// WithNoProxy sets the hosts that bypass proxies.
func WithNoProxy(list string) Option {
	return func(s *Session) error { return s.SetNoProxy(list) }
}

// WithTrustEnv chooses whether proxy environment variables apply.
func WithTrustEnv(trust bool) Option {
	return func(s *Session) error { return s.SetTrustEnv(trust) }
}

// WithInsecureSkipVerify turns certificate verification off (tests only).
func WithInsecureSkipVerify() Option {
	return func(s *Session) error { return s.SetVerify(false) }
}

// WithCAFile trusts only the CAs in a PEM file.
func WithCAFile(path string) Option {
	return func(s *Session) error { return s.SetCAFile(path) }
}

// WithClientCert presents a client certificate for mutual TLS.
func WithClientCert(certPath, keyPath string) Option {
	return func(s *Session) error { return s.SetClientCert(certPath, keyPath) }
}

// WithMinTLSVersion sets the lowest TLS version (tls.VersionTLS12 or 13).
func WithMinTLSVersion(v uint16) Option {
	return func(s *Session) error { return s.SetMinTLSVersion(v) }
}

// WithMaxBodySize sets the largest decoded body accepted (0: no limit).
func WithMaxBodySize(n int64) Option {
	return func(s *Session) error { return s.SetMaxBodySize(n) }
}

// WithPoolIdleTimeout sets how long idle connections are kept.
func WithPoolIdleTimeout(d time.Duration) Option {
	return func(s *Session) error { return s.SetPoolIdleTimeout(d) }
}

// WithPoolMaxIdlePerHost sets the most idle connections kept per host.
func WithPoolMaxIdlePerHost(n int) Option {
	return func(s *Session) error { return s.SetPoolMaxIdlePerHost(n) }
}

// WithCookieFile loads a cookie file now and saves the jar there on Close
// (SetCookieFile).
func WithCookieFile(path string, format CookieFormat) Option {
	return func(s *Session) error { _, err := s.SetCookieFile(path, format); return err }
}
