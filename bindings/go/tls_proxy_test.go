package hsession_test

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	hsession "github.com/hsession/hsession/bindings/go"
)

func TestTLS(t *testing.T) {
	dir := t.TempDir()
	tlsBase, stop, err := startServer("--tls-self-signed", dir)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	ctx := context.Background()
	url := tlsBase + "/echo"

	// Verification on by default: a self-signed CA is refused.
	s := newSession(t)
	_, err = s.Get(ctx, url)
	if !errors.Is(err, hsession.ErrTLS) || !errors.Is(err, hsession.CodeTLS) {
		t.Fatalf("unknown CA: %v", err)
	}
	// Trusting the CA file.
	if err := s.SetCAFile(filepath.Join(dir, "ca.pem")); err != nil {
		t.Fatal(err)
	}
	r, err := s.Get(ctx, url)
	if err != nil || r.StatusCode != 200 {
		t.Fatalf("with CA: %v %v", r, err)
	}
	r.Body.Close()
	// TLS 1.3 minimum, client certificate: accepted by this server.
	s2 := newSession(t, hsession.WithCAFile(filepath.Join(dir, "ca.pem")), hsession.WithMinTLSVersion(tls.VersionTLS13),
		hsession.WithClientCert(filepath.Join(dir, "client.pem"), filepath.Join(dir, "client-key.pem")))
	r, err = s2.Get(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	// Verification off.
	s3 := newSession(t, hsession.WithInsecureSkipVerify())
	r, err = s3.Get(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if err := s3.SetVerify(true); err != nil {
		t.Fatal(err)
	}
	if _, err := s3.Get(ctx, url); !errors.Is(err, hsession.ErrTLS) {
		t.Fatalf("verify back on: %v", err)
	}
	// Bad settings fail and leave the session as it was.
	wantCode(t, s.SetCAFile(filepath.Join(dir, "missing.pem")), hsession.CodeIO)
	notPEM := filepath.Join(dir, "not.pem")
	os.WriteFile(notPEM, []byte("hello"), 0o600)
	wantCode(t, s.SetCAFile(notPEM), hsession.CodeInvalidArgument)
	wantCode(t, s.SetClientCert(filepath.Join(dir, "client.pem"), filepath.Join(dir, "key.pem")), hsession.CodeInvalidArgument)
	wantCode(t, s.SetMinTLSVersion(tls.VersionTLS10), hsession.CodeInvalidArgument)
	r, err = s.Get(ctx, url)
	if err != nil {
		t.Fatalf("session after bad settings: %v", err)
	}
	r.Body.Close()
	if _, err := hsession.New(hsession.WithCAFile(notPEM)); !errors.Is(err, hsession.ErrInvalid) {
		t.Fatalf("New with a bad option: %v", err)
	}
}

// forwardProxy is a minimal HTTP forward proxy (absolute-form requests),
// counting what it forwards and checking Proxy-Authorization.
type forwardProxy struct {
	url      string
	forwards atomic.Int64
	auth     string
}

func startProxy(t *testing.T, user, pass string) *forwardProxy {
	p := &forwardProxy{}
	if user != "" {
		p.auth = "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: p}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	p.url = "http://" + ln.Addr().String()
	return p
}

func (p *forwardProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if p.auth != "" && r.Header.Get("Proxy-Authorization") != p.auth {
		w.WriteHeader(http.StatusProxyAuthRequired)
		return
	}
	if !r.URL.IsAbs() {
		http.Error(w, "not a proxy request", http.StatusBadRequest)
		return
	}
	p.forwards.Add(1)
	out, _ := http.NewRequest(r.Method, r.URL.String(), r.Body)
	out.Header = r.Header.Clone()
	out.Header.Del("Proxy-Authorization")
	out.Header.Set("X-Via-Proxy", "1")
	resp, err := http.DefaultTransport.RoundTrip(out)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.StatusCode)
	io.Copy(w, resp.Body)
}

func TestProxy(t *testing.T) {
	p := startProxy(t, "puser", "ppass")
	withCreds := "http://puser:ppass@" + p.url[len("http://"):]
	s := newSession(t, hsession.WithProxy("http", withCreds), hsession.WithTrustEnv(false))
	e := getEcho(t, s, "/echo")
	if len(e.header("x-via-proxy")) != 1 || len(e.header("proxy-authorization")) != 0 || p.forwards.Load() != 1 {
		t.Fatalf("through the proxy: %v, %d forwarded", e.Headers, p.forwards.Load())
	}
	// Wrong credentials: the proxy's 407 is a response.
	if err := s.SetProxy("all", "http://puser:wrong@"+p.url[len("http://"):]); err != nil {
		t.Fatal(err)
	}
	if err := s.SetProxy("http", ""); err != nil { // remove the http one; "all" stays
		t.Fatal(err)
	}
	r, err := s.Get(context.Background(), base+"/echo")
	if err != nil || r.StatusCode != http.StatusProxyAuthRequired {
		t.Fatalf("bad proxy credentials: %v %v", r, err)
	}
	r.Body.Close()
	// no_proxy bypasses it.
	if err := s.SetNoProxy("127.0.0.1"); err != nil {
		t.Fatal(err)
	}
	if e := getEcho(t, s, "/echo"); len(e.header("x-via-proxy")) != 0 {
		t.Fatal("no_proxy host went through the proxy")
	}
	wantCode(t, s.SetNoProxy("[bad"), hsession.CodeInvalidArgument)
	if err := s.SetProxy("gopher", p.url); !errors.Is(err, hsession.ErrInvalid) {
		t.Fatalf("bad scheme: %v", err)
	}
}

// trust_env: HTTP_PROXY applies unless turned off.
func TestProxyFromEnvironment(t *testing.T) {
	p := startProxy(t, "", "")
	t.Setenv("HTTP_PROXY", p.url)
	t.Setenv("http_proxy", p.url)
	t.Setenv("NO_PROXY", "")
	t.Setenv("no_proxy", "")
	s := newSession(t)
	if e := getEcho(t, s, "/echo"); len(e.header("x-via-proxy")) != 1 {
		t.Fatal("HTTP_PROXY ignored")
	}
	if err := s.SetTrustEnv(false); err != nil {
		t.Fatal(err)
	}
	if e := getEcho(t, s, "/echo"); len(e.header("x-via-proxy")) != 0 {
		t.Fatal("HTTP_PROXY used with trust_env off")
	}
}
