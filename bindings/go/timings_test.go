package hsession_test

import (
	"context"
	"crypto/tls"
	"net/http/httptrace"
	"path/filepath"
	"strings"
	"testing"
	"time"

	hsession "github.com/hsession/hsession/bindings/go"
)

func ordered(t *testing.T, what string, tm hsession.Timings) {
	t.Helper()
	p := []time.Duration{tm.Queued, tm.DNS, tm.Connect, tm.TLS, tm.FirstByte, tm.Total}
	for i := 1; i < len(p); i++ {
		if p[i] < p[i-1] {
			t.Errorf("%s: phase %d (%v) before phase %d (%v)", what, i, p[i], i-1, p[i-1])
		}
	}
	if tm.Total <= 0 {
		t.Errorf("%s: total %v", what, tm.Total)
	}
}

func TestTimingsNewThenReused(t *testing.T) {
	s := newSession(t)
	ctx := context.Background()
	r, err := s.Get(ctx, base+"/get")
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	tm := r.Timings
	ordered(t, "first", tm)
	if tm.Reused || tm.WasIdle || tm.Connect <= tm.Queued || tm.TLS != tm.Connect || tm.TLSVersion != "" {
		t.Errorf("first request: %+v", tm)
	}
	if !strings.HasSuffix(base, ":"+itoa(tm.RemoteAddr.Port())) || tm.LocalAddr.Addr().String() != "127.0.0.1" ||
		tm.HTTPVersion != "HTTP/1.1" {
		t.Errorf("addresses %v -> %v, %s (server %s)", tm.LocalAddr, tm.RemoteAddr, tm.HTTPVersion, base)
	}
	time.Sleep(20 * time.Millisecond)

	// The second request, traced: the hooks see the reused connection.
	var got []string
	var info httptrace.GotConnInfo
	trace := &httptrace.ClientTrace{
		ConnectStart:         func(string, string) { got = append(got, "ConnectStart") },
		GotConn:              func(i httptrace.GotConnInfo) { got = append(got, "GotConn"); info = i },
		WroteRequest:         func(httptrace.WroteRequestInfo) { got = append(got, "WroteRequest") },
		GotFirstResponseByte: func() { got = append(got, "GotFirstResponseByte") },
	}
	r, err = s.Get(httptrace.WithClientTrace(ctx, trace), base+"/get")
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	tm2 := r.Timings
	ordered(t, "second", tm2)
	if !tm2.Reused || !tm2.WasIdle || tm2.IdleTime < 15*time.Millisecond || tm2.LocalAddr != tm.LocalAddr ||
		tm2.Connect != tm2.Queued {
		t.Errorf("second request: %+v", tm2)
	}
	if strings.Join(got, ",") != "GotConn,WroteRequest,GotFirstResponseByte" {
		t.Errorf("hooks called: %v", got)
	}
	if !info.Reused || !info.WasIdle || info.IdleTime != tm2.IdleTime ||
		info.Conn.LocalAddr().String() != tm.LocalAddr.String() {
		t.Errorf("GotConn info %+v", info)
	}
}

func TestTimingsRedirectHops(t *testing.T) {
	s := newSession(t)
	r, err := s.Get(context.Background(), base+"/redirect/2")
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if len(r.History) != 2 {
		t.Fatalf("%d hops", len(r.History))
	}
	for i, h := range r.History {
		ordered(t, "hop", h.Timings)
		if h.Timings.Reused != (i == 1) {
			t.Errorf("hop %d reused %v", i, h.Timings.Reused)
		}
	}
	ordered(t, "final", r.Timings)
	if !r.Timings.Reused {
		t.Errorf("final exchange not reused")
	}
}

func TestTimingsTLSTraced(t *testing.T) {
	dir := t.TempDir()
	tlsBase, stop, err := startServer("--tls-self-signed", dir)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	s := newSession(t, hsession.WithCAFile(filepath.Join(dir, "ca.pem")))
	var got []string
	var state tls.ConnectionState
	trace := &httptrace.ClientTrace{
		ConnectStart:      func(string, string) { got = append(got, "ConnectStart") },
		ConnectDone:       func(string, string, error) { got = append(got, "ConnectDone") },
		TLSHandshakeStart: func() { got = append(got, "TLSHandshakeStart") },
		TLSHandshakeDone: func(st tls.ConnectionState, _ error) {
			got = append(got, "TLSHandshakeDone")
			state = st
		},
		GotConn: func(httptrace.GotConnInfo) { got = append(got, "GotConn") },
	}
	r, err := s.Get(httptrace.WithClientTrace(context.Background(), trace), tlsBase+"/get")
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	tm := r.Timings
	ordered(t, "TLS", tm)
	if tm.TLS <= tm.Connect || tm.Connect <= tm.Queued || tm.TLSVersion != "TLSv1.3" ||
		!strings.HasPrefix(tm.TLSCipher, "TLS13_") {
		t.Errorf("TLS timings %+v", tm)
	}
	if strings.Join(got, ",") != "ConnectStart,ConnectDone,TLSHandshakeStart,TLSHandshakeDone,GotConn" {
		t.Errorf("hooks called: %v", got)
	}
	if state.Version != tls.VersionTLS13 || state.CipherSuite == 0 || !state.HandshakeComplete {
		t.Errorf("TLS state %+v", state)
	}
}

func itoa(n uint16) string {
	b := []byte{}
	for {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
		if n == 0 {
			return string(b)
		}
	}
}

func TestTimingsDNSTraced(t *testing.T) {
	s := newSession(t)
	port := base[strings.LastIndex(base, ":")+1:]
	var host string
	var addrs int
	trace := &httptrace.ClientTrace{
		DNSStart: func(i httptrace.DNSStartInfo) { host = i.Host },
		DNSDone:  func(i httptrace.DNSDoneInfo) { addrs = len(i.Addrs) },
	}
	r, err := s.Get(httptrace.WithClientTrace(context.Background(), trace), "http://localhost:"+port+"/get")
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	ordered(t, "by name", r.Timings)
	if r.Timings.DNS <= r.Timings.Queued || host != "localhost" || addrs != 1 {
		t.Errorf("DNS phase %v after queued %v; DNSStart host %q, DNSDone %d addresses", r.Timings.DNS,
			r.Timings.Queued, host, addrs)
	}
}
