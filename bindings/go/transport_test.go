package hsession_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"

	hsession "github.com/hsession/hsession/bindings/go"
)

// A plain http.Client over the session: the session's jar keeps cookies
// and its pool reuses one connection, both visible in the server's counters.
func TestTransportWithHTTPClient(t *testing.T) {
	s := newSession(t, hsession.WithHeader("X-From", "session"))
	client := &http.Client{Transport: s.Transport()}
	connBefore, reqBefore := stats(t)

	resp, err := client.Get(base + "/cookies/set?token=abc")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for i := 0; i < 9; i++ {
		resp, err = client.Get(base + "/echo")
		if err != nil {
			t.Fatal(err)
		}
		var e echo
		if err := json.NewDecoder(resp.Body).Decode(&e); err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if e.Cookies["token"] != "abc" || strings.Join(e.header("x-from"), "") != "session" {
			t.Fatalf("request %d: cookies %v headers %v", i, e.Cookies, e.Headers)
		}
	}
	connAfter, reqAfter := stats(t)
	// stats() opens one connection of its own and is served once.
	if conns := connAfter - connBefore - 1; conns != 1 {
		t.Fatalf("10 requests used %d connections", conns)
	}
	if reqs := reqAfter - reqBefore - 1; reqs != 10 {
		t.Fatalf("server counted %d requests", reqs)
	}
	if s.ConnectionsOpened() != 1 || s.RequestsSent() != 10 {
		t.Fatalf("session counters: %d connections, %d requests", s.ConnectionsOpened(), s.RequestsSent())
	}

	// Redirects are the client's: each hop is a round trip.
	resp, err = client.Get(base + "/redirect/2")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Request.URL.Path != "/echo" || s.RequestsSent() != 13 {
		t.Fatalf("redirect: %d %s, %d sent", resp.StatusCode, resp.Request.URL, s.RequestsSent())
	}
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err = client.Get(base + "/redirect/2")
	if err != nil || resp.StatusCode != 302 {
		t.Fatalf("redirect not followed: %v %v", resp, err)
	}
	resp.Body.Close()

	// Request bodies, small and streamed, and response metadata.
	resp, err = client.Post(base+"/echo", "application/json", bytes.NewReader([]byte(`{"k":"v"}`)))
	if err != nil {
		t.Fatal(err)
	}
	var e echo
	json.NewDecoder(resp.Body).Decode(&e)
	resp.Body.Close()
	if e.Method != "POST" || e.Body != `{"k":"v"}` || resp.ProtoMajor != 1 || resp.ProtoMinor != 1 || resp.ContentLength <= 0 {
		t.Fatalf("post: %+v %+v", e, resp)
	}
	pr, pw := io.Pipe()
	go func() { pw.Write(bytes.Repeat([]byte("z"), 70000)); pw.Close() }()
	req, _ := http.NewRequest("PUT", base+"/echo", pr)
	resp, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	json.NewDecoder(resp.Body).Decode(&e)
	resp.Body.Close()
	if e.BodyLen != 70000 {
		t.Fatalf("streamed put: %d", e.BodyLen)
	}

	// The request context cancels.
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req, _ = http.NewRequestWithContext(ctx, "GET", base+"/delay/3000", nil)
	_, err = client.Do(req)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("ctx: %v", err)
	}

	// A client with its own jar: its Cookie header wins for that request.
	jar, _ := cookiejar.New(nil)
	client2 := &http.Client{Transport: s.Transport(), Jar: jar}
	resp, _ = client2.Get(base + "/cookies/set?mine=1")
	resp.Body.Close()
	resp, _ = client2.Get(base + "/echo")
	json.NewDecoder(resp.Body).Decode(&e)
	resp.Body.Close()
	if e.Cookies["mine"] != "1" {
		t.Fatalf("client jar: %v", e.Cookies)
	}
}

func TestTransportStreaming(t *testing.T) {
	s := newSession(t)
	client := &http.Client{Transport: &hsession.Transport{Session: s, Stream: true}}
	resp, err := client.Get(base + "/bytes/2000000")
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil || n != 2000000 {
		t.Fatalf("%d %v", n, err)
	}
}
