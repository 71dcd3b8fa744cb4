package hsession_test

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	hsession "github.com/hsession/hsession/bindings/go"
)

func cookieNames(cs []hsession.Cookie) string {
	var names []string
	for _, c := range cs {
		names = append(names, c.Name+"="+c.Value)
	}
	return strings.Join(names, ",")
}

func TestCookieJar(t *testing.T) {
	s := newSession(t)
	ctx := context.Background()
	r, err := s.Get(ctx, base+"/cookies/set?a=1&b=2")
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	cs, err := s.Cookies()
	if err != nil || cookieNames(cs) != "a=1,b=2" {
		t.Fatalf("jar: %v %v", cs, err)
	}
	if c := cs[0]; c.Domain != "127.0.0.1" || c.Path != "/" || !c.HostOnly || c.Secure || !c.Expires.IsZero() {
		t.Fatalf("cookie fields: %+v", c)
	}
	if e := getEcho(t, s, "/echo"); e.Cookies["a"] != "1" || e.Cookies["b"] != "2" {
		t.Fatalf("sent: %v", e.Cookies)
	}
	// Set by API, from a header or fields.
	if err := s.SetCookieHeader(base+"/", "c=3; Path=/; Max-Age=3600"); err != nil {
		t.Fatal(err)
	}
	exp := time.Now().Add(time.Hour).Truncate(time.Second)
	if err := s.SetCookie(base+"/", hsession.Cookie{Name: "d", Value: "4", Path: "/only", Expires: exp, HttpOnly: true}); err != nil {
		t.Fatal(err)
	}
	for_, err := s.CookiesFor(base + "/only/x")
	if err != nil || cookieNames(for_) != "d=4,a=1,b=2,c=3" {
		t.Fatalf("for url: %v %v", cookieNames(for_), err)
	}
	if !for_[0].Expires.Equal(exp) || !for_[0].HttpOnly {
		t.Fatalf("fields kept: %+v", for_[0])
	}
	// Refused by the jar's rules: Secure from http, a foreign domain.
	err = s.SetCookieHeader(base+"/", "e=5; Secure")
	if !errors.Is(err, hsession.CodeInvalidArgument) {
		t.Fatalf("secure from http: %v", err)
	}
	wantCode(t, s.SetCookie(base+"/", hsession.Cookie{Name: "f", Value: "6", Domain: "example.com"}), hsession.CodeInvalidArgument)
	// Per-request cookies are sent and never stored.
	e := doEcho(t, s, &hsession.Request{URL: base + "/echo", Cookies: []*http.Cookie{{Name: "a", Value: "override"}, {Name: "tmp", Value: "x"}}})
	if e.Cookies["a"] != "override" || e.Cookies["tmp"] != "x" {
		t.Fatalf("request cookies: %v", e.Cookies)
	}
	if cs, _ := s.Cookies(); strings.Contains(cookieNames(cs), "tmp") {
		t.Fatal("request cookie entered the jar")
	}
	// Delete one, clear session cookies, clear a domain.
	if err := s.DeleteCookie("127.0.0.1", "", "b"); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.DeleteCookie("127.0.0.1", "", "b"), hsession.CodeNotFound)
	if n, err := s.ClearSessionCookies(); err != nil || n != 1 { // a
		t.Fatalf("clear session: %d %v", n, err)
	}
	if cs, _ := s.Cookies(); cookieNames(cs) != "c=3,d=4" {
		t.Fatalf("after clears: %s", cookieNames(cs))
	}
	if n, err := s.ClearDomainCookies("127.0.0.1"); err != nil || n != 2 {
		t.Fatalf("clear domain: %d %v", n, err)
	}
	s.SetCookieHeader(base+"/", "g=7")
	if err := s.ClearCookies(); err != nil {
		t.Fatal(err)
	}
	if cs, _ := s.Cookies(); len(cs) != 0 {
		t.Fatalf("after clear: %v", cs)
	}
}

// The login flow, and the jar saved and loaded in both formats.
func TestCookieFiles(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := newSession(t)
	r, err := s.PostForm(ctx, base+"/login", map[string][]string{"username": {"user"}, "password": {"pass"}})
	if err != nil || r.StatusCode != 200 {
		t.Fatalf("login: %v %v", r, err)
	}
	r.Body.Close()
	s.SetCookieHeader(base+"/", "keep=1; Max-Age=3600")
	for _, f := range []hsession.CookieFormat{hsession.CookieFileNetscape, hsession.CookieFileJSON} {
		path := filepath.Join(dir, "jar")
		n, err := s.SaveCookies(path, f)
		if err != nil || n != 2 {
			t.Fatalf("save: %d %v", n, err)
		}
		if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
			t.Fatalf("mode %v", st.Mode())
		}
		s2 := newSession(t)
		if n, err := s2.LoadCookies(path, f); err != nil || n != 2 {
			t.Fatalf("load: %d %v", n, err)
		}
		r, err := s2.Get(ctx, base+"/protected")
		if err != nil || r.StatusCode != 200 {
			t.Fatalf("protected with loaded jar: %v %v", r, err)
		}
		r.Body.Close()
	}
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte("{not json"), 0o600)
	_, err = s.LoadCookies(bad, hsession.CookieFileJSON)
	wantCode(t, err, hsession.CodeParse)
	_, err = s.LoadCookies(filepath.Join(dir, "missing"), hsession.CookieFileJSON)
	wantCode(t, err, hsession.CodeIO)
	_, err = s.SaveCookies(filepath.Join(dir, "no", "such", "dir"), hsession.CookieFileJSON)
	wantCode(t, err, hsession.CodeIO)

	// A cookie file: loaded by New, saved by Close, so a login survives.
	persist := filepath.Join(dir, "cookies.txt")
	a, err := hsession.New(hsession.WithCookieFile(persist, hsession.CookieFileNetscape))
	if err != nil {
		t.Fatal(err)
	}
	r, _ = a.PostForm(ctx, base+"/login", map[string][]string{"username": {"user"}, "password": {"pass"}})
	r.Body.Close()
	a.Close()
	b := newSession(t, hsession.WithCookieFile(persist, hsession.CookieFileNetscape))
	r, err = b.Get(ctx, base+"/protected")
	if err != nil || r.StatusCode != 200 {
		t.Fatalf("login did not survive: %v %v", r, err)
	}
	r.Body.Close()
	if _, err := hsession.New(hsession.WithCookieFile(bad, hsession.CookieFileJSON)); !errors.Is(err, hsession.CodeParse) {
		t.Fatalf("New with a bad cookie file: %v", err)
	}
}
