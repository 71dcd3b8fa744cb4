package hsession_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	hsession "github.com/hsession/hsession/bindings/go"
)

func errorsAs(err error, target any) bool { return errors.As(err, target) }

func TestVersion(t *testing.T) {
	if v := hsession.Version(); v != "0.1.0" {
		t.Fatalf("version %q", v)
	}
	// The runtime already runs (TestMain's sessions): too late to size it.
	newSession(t)
	wantCode(t, hsession.SetWorkerThreads(2), hsession.CodeRuntime)
	if err := hsession.SetWorkerThreads(0); !errors.Is(err, hsession.ErrInvalid) {
		t.Fatalf("0 threads: %v", err)
	}
}

func TestMethodsAndHelpers(t *testing.T) {
	s := newSession(t)
	ctx := context.Background()
	check := func(resp *hsession.Response, err error, method, body string) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		var e echo
		if err := resp.JSON(&e); err != nil {
			t.Fatal(err)
		}
		if e.Method != method || e.Body != body {
			t.Fatalf("got %s %q, want %s %q", e.Method, e.Body, method, body)
		}
	}
	r, err := s.Get(ctx, base+"/echo")
	check(r, err, "GET", "")
	r, err = s.Post(ctx, base+"/echo", "text/plain", strings.NewReader("post body"))
	check(r, err, "POST", "post body")
	r, err = s.Put(ctx, base+"/echo", "", strings.NewReader("put"))
	check(r, err, "PUT", "put")
	r, err = s.Patch(ctx, base+"/echo", "", strings.NewReader("patch"))
	check(r, err, "PATCH", "patch")
	r, err = s.Delete(ctx, base+"/echo")
	check(r, err, "DELETE", "")

	r, err = s.Head(ctx, base+"/echo")
	if err != nil || r.StatusCode != 200 || r.Body != http.NoBody {
		t.Fatalf("HEAD: %v %v", r, err)
	}
	r, err = s.PostForm(ctx, base+"/echo", url.Values{"key": {"value"}, "b": {"x y"}})
	if err != nil {
		t.Fatal(err)
	}
	var e echo
	if err := r.JSON(&e); err != nil || e.Form["key"] != "value" || e.Form["b"] != "x y" {
		t.Fatalf("form: %+v %v", e.Form, err)
	}
	// Response fields.
	r, err = s.Get(ctx, base+"/json")
	if err != nil {
		t.Fatal(err)
	}
	if r.StatusCode != 200 || r.Status != "200 OK" || r.Proto != "HTTP/1.1" ||
		r.Header.Get("Content-Type") != "application/json" || r.URL != base+"/json" || r.Elapsed <= 0 {
		t.Fatalf("response fields: %+v", r)
	}
	b, err := r.Bytes()
	if err != nil || !strings.Contains(string(b), "Sample Slide Show") {
		t.Fatalf("body %q %v", b, err)
	}
	// A 404 is a response.
	r, err = s.Get(ctx, base+"/status/404")
	if err != nil || r.StatusCode != 404 {
		t.Fatalf("404: %v %v", r, err)
	}
	r.Body.Close()
	r.Body.Close() // idempotent
	if _, err := r.Body.Read(make([]byte, 1)); err == nil {
		t.Fatal("read after close succeeded")
	}
}

func TestBodyReadsInPieces(t *testing.T) {
	s := newSession(t)
	r, err := s.Get(context.Background(), base+"/bytes/10000")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	buf := make([]byte, 7)
	total := 0
	for {
		n, err := r.Body.Read(buf)
		total += n
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if total != 10000 {
		t.Fatalf("read %d bytes", total)
	}
}

func TestHeaders(t *testing.T) {
	s := newSession(t, hsession.WithHeader("User-Agent", "MyApp/1.0"), hsession.WithHeader("X-Session", "s"))
	if err := s.AddHeader("X-Multi", "1"); err != nil {
		t.Fatal(err)
	}
	if err := s.AddHeader("X-Multi", "2"); err != nil {
		t.Fatal(err)
	}
	e := getEcho(t, s, "/echo")
	if got := e.header("user-agent"); len(got) != 1 || got[0] != "MyApp/1.0" {
		t.Fatalf("user-agent %v", got)
	}
	if got := e.header("x-multi"); strings.Join(got, ",") != "1,2" {
		t.Fatalf("x-multi %v", got)
	}
	// Per request: replace one, drop one.
	e = doEcho(t, s, &hsession.Request{URL: base + "/echo",
		Header: http.Header{"X-Session": {"r"}}, RemoveHeaders: []string{"X-Multi"}})
	if got := e.header("x-session"); len(got) != 1 || got[0] != "r" || len(e.header("x-multi")) != 0 {
		t.Fatalf("per-request headers: %v", e.Headers)
	}
	if err := s.RemoveHeader("User-Agent"); err != nil {
		t.Fatal(err)
	}
	if got := getEcho(t, s, "/echo").header("user-agent"); len(got) != 0 {
		t.Fatalf("user-agent still sent: %v", got)
	}
	// Bad input is refused, nothing sent, the session still works.
	wantCode(t, s.SetHeader("Bad Name", "v"), hsession.CodeInvalidHeaderName)
	wantCode(t, s.SetHeader("X-Ok", "a\r\nInjected: 1"), hsession.CodeInvalidHeaderValue)
	_, err := s.Do(context.Background(), &hsession.Request{URL: base + "/echo", Header: http.Header{"X-Bad": {"a\nb"}}})
	wantCode(t, err, hsession.CodeInvalidHeaderValue)
	if !errors.Is(err, hsession.ErrInvalid) || !errors.Is(err, hsession.CodeInvalidHeaderValue) {
		t.Fatalf("errors.Is: %v", err)
	}
	getEcho(t, s, "/echo")
}

func TestBadInput(t *testing.T) {
	s := newSession(t)
	ctx := context.Background()
	_, err := s.Do(ctx, &hsession.Request{Method: "GE T", URL: base + "/echo"})
	wantCode(t, err, hsession.CodeInvalidMethod)
	_, err = s.Get(ctx, "ftp://127.0.0.1/")
	wantCode(t, err, hsession.CodeUnsupportedScheme)
	_, err = s.Get(ctx, "not a url")
	wantCode(t, err, hsession.CodeInvalidURL)
	_, err = s.Get(ctx, base+"/echo\r\nX: y")
	wantCode(t, err, hsession.CodeInvalidURL)
	_, err = s.Get(ctx, "http://127.0.0.1:1/")
	if !errors.Is(err, hsession.ErrConnect) || !errors.Is(err, hsession.CodeConnect) {
		t.Fatalf("connect: %v", err)
	}
	var he *hsession.Error
	if !errors.As(err, &he) || !strings.Contains(he.URL, "127.0.0.1:1") || he.Message == "" {
		t.Fatalf("error detail: %#v", he)
	}
	_, err = s.Do(ctx, &hsession.Request{URL: base + "/echo", Retry: &hsession.Retry{StatusForcelist: []int{70000}}})
	if !errors.Is(err, hsession.ErrInvalid) {
		t.Fatalf("bad status in forcelist: %v", err)
	}
	wantCode(t, s.SetBasicAuth("a:b", "c"), hsession.CodeInvalidArgument)
	if err := s.SetMaxRedirects(-1); !errors.Is(err, hsession.ErrInvalid) {
		t.Fatalf("negative redirects: %v", err)
	}
	// The session is still usable.
	if e := getEcho(t, s, "/echo"); e.Method != "GET" {
		t.Fatal(e.Method)
	}
}

func TestQueryParams(t *testing.T) {
	s := newSession(t, hsession.WithQueryParam("api", "k1"), hsession.WithQueryParam("page", "1"))
	e := doEcho(t, s, &hsession.Request{URL: base + "/echo?x=1", Query: url.Values{"page": {"2"}, "q": {"a b"}}})
	if strings.Join(e.Query["api"], ",") != "k1" || strings.Join(e.Query["page"], ",") != "2" ||
		strings.Join(e.Query["q"], ",") != "a b" || strings.Join(e.Query["x"], ",") != "1" {
		t.Fatalf("query %v", e.Query)
	}
	if err := s.ClearQueryParams(); err != nil {
		t.Fatal(err)
	}
	if e := getEcho(t, s, "/echo"); len(e.Query) != 0 {
		t.Fatalf("query after clear %v", e.Query)
	}
}

func TestAuth(t *testing.T) {
	ctx := context.Background()
	s := newSession(t, hsession.WithBasicAuth("user", "pass"))
	r, err := s.Get(ctx, base+"/basic-auth/user/pass")
	if err != nil || r.StatusCode != 200 {
		t.Fatalf("basic: %v %v", r, err)
	}
	r.Body.Close()
	// Per request: no auth, other basic auth, bearer.
	r, _ = s.Do(ctx, &hsession.Request{URL: base + "/basic-auth/user/pass", Auth: hsession.NoAuth{}})
	if r.StatusCode != 401 {
		t.Fatalf("no auth: %d", r.StatusCode)
	}
	r.Body.Close()
	r, _ = s.Do(ctx, &hsession.Request{URL: base + "/basic-auth/u2/p2", Auth: hsession.BasicAuth{User: "u2", Password: "p2"}})
	if r.StatusCode != 200 {
		t.Fatalf("request basic: %d", r.StatusCode)
	}
	r.Body.Close()
	e := doEcho(t, s, &hsession.Request{URL: base + "/echo", Auth: hsession.BearerAuth("tok")})
	if got := e.header("authorization"); len(got) != 1 || got[0] != "Bearer tok" {
		t.Fatalf("bearer: %v", got)
	}
	if err := s.SetBearerAuth("my_token"); err != nil {
		t.Fatal(err)
	}
	r, _ = s.Get(ctx, base+"/bearer")
	var v struct{ Token string }
	if err := r.JSON(&v); err != nil || v.Token != "my_token" {
		t.Fatalf("session bearer: %+v %v", v, err)
	}
	if err := s.ClearAuth(); err != nil {
		t.Fatal(err)
	}
	if e := getEcho(t, s, "/echo"); len(e.header("authorization")) != 0 {
		t.Fatal("auth sent after ClearAuth")
	}
}

func TestRedirects(t *testing.T) {
	s := newSession(t)
	ctx := context.Background()
	r, err := s.Get(ctx, base+"/redirect/3")
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != 200 || r.URL != base+"/echo" || len(r.History) != 3 ||
		r.History[0].StatusCode != 302 || r.History[0].URL != base+"/redirect/3" {
		t.Fatalf("redirects: %d %s %+v", r.StatusCode, r.URL, r.History)
	}
	r, err = s.Do(ctx, &hsession.Request{URL: base + "/redirect/3", MaxRedirects: hsession.NoRedirects})
	if err != nil || r.StatusCode != 302 || r.Header.Get("Location") == "" {
		t.Fatalf("not followed: %v %v", r, err)
	}
	r.Body.Close()
	// 307 keeps method and body.
	e := doEcho(t, s, &hsession.Request{Method: "POST", URL: base + "/redirect-to?status=307&url=/echo", Body: strings.NewReader("kept")})
	if e.Method != "POST" || e.Body != "kept" {
		t.Fatalf("307: %s %q", e.Method, e.Body)
	}
	if err := s.SetMaxRedirects(1); err != nil {
		t.Fatal(err)
	}
	_, err = s.Get(ctx, base+"/redirect/3")
	wantCode(t, err, hsession.CodeTooManyRedirects)
	r, err = s.Do(ctx, &hsession.Request{URL: base + "/redirect/3", MaxRedirects: 5})
	if err != nil || r.StatusCode != 200 {
		t.Fatalf("request limit over session limit: %v %v", r, err)
	}
	r.Body.Close()
}

func TestRetries(t *testing.T) {
	ctx := context.Background()
	retry := hsession.NewRetry(3)
	retry.BackoffFactor = 0 // quick
	retry.StatusForcelist = []int{500, 502, 503, 504}
	s := newSession(t, hsession.WithRetry(retry))
	r, err := s.Get(ctx, base+"/flaky/go-retry-1/2")
	if err != nil || r.StatusCode != 200 || r.Retries != 2 {
		t.Fatalf("retried: %v %v", r, err)
	}
	r.Body.Close()
	_, err = s.Get(ctx, base+"/flaky/go-retry-2/10")
	wantCode(t, err, hsession.CodeTooManyRetries)
	// POST is not retried by default, and is with "*".
	r, _ = s.Post(ctx, base+"/flaky/go-retry-3/1", "", nil)
	if r.StatusCode != 503 {
		t.Fatalf("POST retried: %d", r.StatusCode)
	}
	r.Body.Close()
	every := retry
	every.AllowedMethods = []string{"*"}
	r, err = s.Do(ctx, &hsession.Request{Method: "POST", URL: base + "/flaky/go-retry-4/1", Retry: &every})
	if err != nil || r.StatusCode != 200 || r.Retries != 1 {
		t.Fatalf("POST with *: %v %v", r, err)
	}
	r.Body.Close()
	// Per request: raise_on_status off gives the last response.
	soft := retry
	soft.Total = 1
	soft.RaiseOnStatus = false
	r, err = s.Do(ctx, &hsession.Request{URL: base + "/flaky/go-retry-5/5", Retry: &soft})
	if err != nil || r.StatusCode != 503 || r.Retries != 1 {
		t.Fatalf("raise off: %v %v", r, err)
	}
	r.Body.Close()
	// Retry-After is respected.
	r, err = s.Get(ctx, base+"/flaky/go-retry-6/1?retry_after=1")
	if err != nil || r.StatusCode != 200 || r.Elapsed.Seconds() < 0.9 {
		t.Fatalf("retry-after: %v %v", r, err)
	}
	r.Body.Close()
	// Retries off again.
	if err := s.SetRetry(hsession.NewRetry(0)); err != nil {
		t.Fatal(err)
	}
	r, _ = s.Get(ctx, base+"/flaky/go-retry-7/1")
	if r.StatusCode != 503 {
		t.Fatalf("no retries: %d", r.StatusCode)
	}
	r.Body.Close()
}

func TestUploads(t *testing.T) {
	s := newSession(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "data.txt")
	if err := os.WriteFile(file, []byte("file contents"), 0o600); err != nil {
		t.Fatal(err)
	}
	e := doEcho(t, s, &hsession.Request{Method: "PUT", URL: base + "/echo", BodyFile: file})
	if e.Body != "file contents" {
		t.Fatalf("body file: %q", e.Body)
	}
	e = doEcho(t, s, &hsession.Request{Method: "POST", URL: base + "/echo", Multipart: []hsession.Part{
		{Name: "field", Value: "v"},
		{Name: "upload", FilePath: file, FileName: "report.txt", ContentType: "text/plain"},
	}})
	if e.Multipart == nil || e.Multipart.Fields["field"] != "v" || e.Multipart.Files["upload"].Filename != "report.txt" ||
		e.Multipart.Files["upload"].Size != 13 {
		t.Fatalf("multipart: %+v", e.Multipart)
	}
	// Every part's size is known: a Content-Length, not chunked.
	if len(e.header("content-length")) != 1 || len(e.header("transfer-encoding")) != 0 {
		t.Fatalf("multipart framing: %v", e.Headers)
	}
	// A plain io.Reader is streamed from Go (chunked, or with a length).
	pr, pw := io.Pipe()
	go func() {
		for i := 0; i < 100; i++ {
			pw.Write([]byte(strings.Repeat("x", 1000)))
		}
		pw.Close()
	}()
	e = doEcho(t, s, &hsession.Request{Method: "POST", URL: base + "/echo", Body: pr})
	if e.BodyLen != 100000 {
		t.Fatalf("streamed body: %d bytes", e.BodyLen)
	}
	e = doEcho(t, s, &hsession.Request{Method: "POST", URL: base + "/echo",
		Body: io.LimitReader(zeros{}, 5000), ContentLength: 5000})
	if e.BodyLen != 5000 || strings.Join(e.header("content-length"), "") != "5000" {
		t.Fatalf("streamed body with length: %d %v", e.BodyLen, e.header("content-length"))
	}
	// A reader that fails fails the request with CodeIO.
	_, err := s.Do(context.Background(), &hsession.Request{Method: "POST", URL: base + "/echo", Body: failing{}})
	wantCode(t, err, hsession.CodeIO)
	_, err = s.Do(context.Background(), &hsession.Request{Method: "POST", URL: base + "/echo", BodyFile: filepath.Join(dir, "missing")})
	wantCode(t, err, hsession.CodeIO)
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

type failing struct{}

func (failing) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }

func TestCompressedBodies(t *testing.T) {
	s := newSession(t)
	for _, path := range []string{"/gzip", "/deflate", "/brotli", "/zstd"} {
		r, err := s.Get(context.Background(), base+path)
		if err != nil {
			t.Fatal(err)
		}
		b, err := r.Bytes()
		if err != nil || !strings.HasPrefix(string(b), "{") {
			t.Fatalf("%s: %q %v", path, b, err)
		}
	}
}

func TestMaxBodySize(t *testing.T) {
	s := newSession(t, hsession.WithMaxBodySize(1000))
	_, err := s.Get(context.Background(), base+"/bytes/5000")
	wantCode(t, err, hsession.CodeBodyTooLarge)
	r, err := s.Do(context.Background(), &hsession.Request{URL: base + "/bytes/5000", MaxBodySize: hsession.NoLimit})
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := r.Bytes(); len(b) != 5000 {
		t.Fatalf("%d bytes", len(b))
	}
}

// No error shows the password of a URL, whether the URL parses or not.
func TestErrorsShowNoURLPassword(t *testing.T) {
	s := newSession(t)
	for _, raw := range []string{
		"http://alice:TOPSECRET@exa mple.com/",
		"http://alice:TOPSECRET@127.0.0.1:1/x",
		"ftp://alice:TOPSECRET@127.0.0.1/",
	} {
		_, err := s.Get(context.Background(), raw)
		if err == nil {
			t.Fatalf("%s: no error", raw)
		}
		var he *hsession.Error
		if !errorsAs(err, &he) {
			t.Fatalf("%s: %T %v", raw, err, err)
		}
		if shown := err.Error() + " " + he.Message + " " + he.URL; strings.Contains(shown, "TOPSECRET") {
			t.Errorf("the password leaked: %s", shown)
		}
	}
}

// A proxy that cannot be reached is ErrProxy (CodeProxy), not ErrConnect.
func TestUnreachableProxyIsErrProxy(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := l.Addr().String()
	l.Close()
	s := newSession(t)
	if err := s.SetTrustEnv(false); err != nil {
		t.Fatal(err)
	}
	if err := s.SetProxy("all", "http://"+dead); err != nil {
		t.Fatal(err)
	}
	_, err = s.Get(context.Background(), base+"/echo")
	if !errors.Is(err, hsession.ErrProxy) || errors.Is(err, hsession.ErrConnect) {
		t.Fatalf("want ErrProxy, got %v", err)
	}
	wantCode(t, err, hsession.CodeProxy)
}

// HTTP/2 keep-alive pings: set, turned off, and a zero timeout refused.
// (What they do is tested in the core against nginx: tests/http2.rs.)
func TestSetHTTP2KeepAlive(t *testing.T) {
	s := newSession(t)
	if err := s.SetHTTP2KeepAlive(time.Second, 2*time.Second); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.SetHTTP2KeepAlive(time.Second, 0), hsession.CodeInvalidArgument)
	if err := s.SetHTTP2KeepAlive(0, 0); err != nil {
		t.Fatal(err)
	}
	if r, err := s.Get(context.Background(), base+"/echo"); err != nil || r.StatusCode != 200 {
		t.Fatalf("%v %v", r, err)
	}
}

// fetchingReader is a request body whose Read makes a request of its own:
// Read runs on a thread of the library's blocking pool, where a blocking
// call is refused, so that request must still go through.
type fetchingReader struct {
	s    *hsession.Session
	done bool
}

func (r *fetchingReader) Read(p []byte) (int, error) {
	if r.done {
		return 0, io.EOF
	}
	r.done = true
	resp, err := r.s.Get(context.Background(), base+"/bytes/10")
	if err != nil {
		return 0, err
	}
	b, err := resp.Bytes()
	return copy(p, b), err
}

func TestRequestFromInsideABodyReader(t *testing.T) {
	s := newSession(t)
	e := doEcho(t, s, &hsession.Request{Method: "POST", URL: base + "/echo", Body: &fetchingReader{s: s}})
	if e.BodyLen != 10 {
		t.Fatalf("body made by a request inside Read: %d bytes", e.BodyLen)
	}
}

// A repeated response header keeps every value in order, and appending to
// one header's values leaves the others alone.
func TestRepeatedResponseHeaders(t *testing.T) {
	s := newSession(t)
	r, err := s.Get(context.Background(), base+"/cookies/set?a=1&b=2&c=3")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	got := r.Header.Values("Set-Cookie")
	if len(got) != 3 || !strings.HasPrefix(got[0], "a=1") || !strings.HasPrefix(got[1], "b=2") || !strings.HasPrefix(got[2], "c=3") {
		t.Fatalf("Set-Cookie %q", got)
	}
	ct := r.Header.Get("Content-Type")
	r.Header["Content-Type"] = append(r.Header["Content-Type"], "x/extra")
	if r.Header.Get("Content-Length") == "" || r.Header.Get("Content-Type") != ct || len(r.Header.Values("Set-Cookie")) != 3 {
		t.Fatalf("headers after an append: %v", r.Header)
	}
}

// SetMaxConnsPerHost: 16 goroutines take turns on at most 2 connections.
func TestMaxConnsPerHost(t *testing.T) {
	run := func(limit int) uint64 {
		s := newSession(t)
		if limit > 0 {
			if err := s.SetMaxConnsPerHost(limit); err != nil {
				t.Fatal(err)
			}
		}
		var wg sync.WaitGroup
		errs := make(chan error, 64)
		for g := 0; g < 16; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 4; i++ {
					r, err := s.Get(context.Background(), base+"/delay/20")
					if err == nil && r.StatusCode != 200 {
						err = fmt.Errorf("status %d", r.StatusCode)
					}
					if err != nil {
						errs <- err
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		return s.ConnectionsOpened()
	}
	if n := run(2); n < 1 || n > 2 {
		t.Fatalf("capped at 2: %d connections", n)
	}
	if n := run(0); n <= 2 {
		t.Fatalf("without a cap the same load opened only %d connections", n)
	}
	if err := newSession(t).SetMaxConnsPerHost(-1); err == nil {
		t.Fatal("a negative cap was accepted")
	}
}
