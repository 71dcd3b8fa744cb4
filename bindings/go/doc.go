// Package hsession is a persistent, thread-safe HTTP session for Go over
// the hsession C library (cgo): what requests.Session is to Python, with
// what net/http lacks — a managed cookie jar with persistence,
// urllib3-style retries, and a session that C code in the same process can
// share.
//
//	s, err := hsession.New(
//		hsession.WithHeader("User-Agent", "MyApp/1.0"),
//		hsession.WithBearerAuth("my_token"),
//		hsession.WithTimeout(5*time.Second),
//	)
//	if err != nil { ... }
//	defer s.Close()
//	resp, err := s.Get(ctx, "https://api.example.com/data")
//	if err != nil { ... }
//	defer resp.Body.Close()
//
// A Session holds one connection pool and one cookie jar and is used by any
// number of goroutines at once. Defaults (headers, auth, query parameters,
// timeouts, retries, redirects, proxies, TLS) are set with Options in New
// or the Set… methods at any time; a Request overrides them per request.
// Session.Transport gives an http.RoundTripper, so an http.Client (and any
// library taking one) runs over the session.
//
// # Requests in flight
//
// Do hands the whole request to the library in one call. A buffered
// request (not streamed, body in memory) is one blocking call on the
// goroutine's own thread, which Go's scheduler handles like a blocking
// system call; at most 16 such calls run at once in the process, so they
// hold at most 16 OS threads. Every other request (the 17th at once and
// beyond, a streamed one, one with an io.Reader body, one made inside such
// a body's Read) is started with hsession_send_packed and parks the
// goroutine until the library calls back, taking no OS thread. A cancelled context or a passed deadline
// cancels the request in the library within milliseconds (a cancel token
// or hsession_call_cancel); the error then unwraps to ctx.Err().
//
// # Errors
//
// Failures are *Error values carrying the library's Code. Test them with
// errors.Is against a Code (hsession.CodeReadTimeout) or a kind:
// ErrTimeout, ErrCancelled, ErrTLS, ErrConnect, ErrInvalid; ErrClosed after
// Close. An HTTP 404 or 503 is a Response, not an error.
//
// # Ownership
//
// Close a Session when done (Close is idempotent), and close each
// Response.Body (Bytes, Text and JSON do). A forgotten session or body is
// freed by a cleanup (runtime.AddCleanup) once unreachable. Without
// Request.Stream the body is received whole and Body reads it from the
// library's memory; with Stream it is read from the network as it arrives.
//
// # Installing
//
// The package links the installed C library through pkg-config. Install it
// once (from the hsession repository: `make install`, PREFIX=/usr/local by
// default; another PREFIX needs PKG_CONFIG_PATH=PREFIX/lib/pkgconfig), then
// `go get github.com/hsession/hsession/bindings/go`. hsession.pc carries an
// rpath, so programs find libhsession.so.0 at run time with no
// LD_LIBRARY_PATH. If the build stops at "Package hsession was not found in
// the pkg-config search path", the library is not installed there.
//
// # Import path and package name
//
// The import path ends in /go (the binding's directory in the repository)
// while the package is named hsession. The path is kept so that existing
// imports do not break; the package name is the one callers write
// (hsession.New), as with gopkg.in/yaml.v3 (package yaml). Tools such as
// goimports then write the import with an explicit name:
//
//	import hsession "github.com/hsession/hsession/bindings/go"
package hsession
