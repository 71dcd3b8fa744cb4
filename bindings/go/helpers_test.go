package hsession_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	hsession "github.com/hsession/hsession/bindings/go"
)

// echo is the test server's /echo answer.
type echo struct {
	Method       string              `json:"method"`
	Path         string              `json:"path"`
	Query        map[string][]string `json:"query"`
	Headers      [][2]string         `json:"headers"`
	Cookies      map[string]string   `json:"cookies"`
	Body         string              `json:"body"`
	BodyLen      int                 `json:"body_len"`
	Form         map[string]string   `json:"form"`
	JSON         any                 `json:"json"`
	Multipart    *multipart          `json:"multipart"`
	ConnectionID int                 `json:"connection_id"`
}

type multipart struct {
	Fields map[string]string `json:"fields"`
	Files  map[string]struct {
		Filename    string `json:"filename"`
		ContentType string `json:"content_type"`
		Size        int    `json:"size"`
	} `json:"files"`
}

// header gives every value of a request header the server saw.
func (e *echo) header(name string) []string {
	var out []string
	for _, h := range e.Headers {
		if strings.EqualFold(h[0], name) {
			out = append(out, h[1])
		}
	}
	return out
}

func newSession(t testing.TB, opts ...hsession.Option) *hsession.Session {
	t.Helper()
	s, err := hsession.New(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// doEcho sends r and decodes the echo, failing the test on any error.
func doEcho(t testing.TB, s *hsession.Session, r *hsession.Request) *echo {
	t.Helper()
	resp, err := s.Do(context.Background(), r)
	if err != nil {
		t.Fatalf("%s %s: %v", r.Method, r.URL, err)
	}
	var e echo
	if err := resp.JSON(&e); err != nil {
		t.Fatalf("%s %s: status %d, decoding: %v", r.Method, r.URL, resp.StatusCode, err)
	}
	return &e
}

func getEcho(t testing.TB, s *hsession.Session, path string) *echo {
	t.Helper()
	return doEcho(t, s, &hsession.Request{URL: base + path})
}

// stats reads the server's counters with a plain net/http request on a
// connection of its own (counted too).
func stats(t testing.TB) (connections, requests int) {
	t.Helper()
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := c.Get(base + "/stats")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v struct {
		Connections int `json:"connections_accepted"`
		Requests    int `json:"requests_served"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v.Connections, v.Requests
}

func wantCode(t testing.TB, err error, code hsession.Code) {
	t.Helper()
	if err == nil {
		t.Fatalf("want %v, got no error", code)
	}
	var he *hsession.Error
	if !errorsAs(err, &he) || he.Code != code {
		t.Fatalf("want %v, got %v", code, err)
	}
}
