package hsession_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	hsession "github.com/hsession/hsession/bindings/go"
)

// status sends r and returns its status, failing the test on an error.
func status(t *testing.T, s *hsession.Session, r *hsession.Request) int {
	t.Helper()
	resp, err := s.Do(context.Background(), r)
	if err != nil {
		t.Fatalf("%s: %v", r.URL, err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// Digest auth against the test server's challenge: the session's
// credentials (MD5 and SHA-256, the challenge answered once and then
// reused), a request's own, and a wrong password answered once.
func TestDigestAuth(t *testing.T) {
	s := newSession(t, hsession.WithDigestAuth("user", "pass"), hsession.WithTrustEnv(false))
	before := s.RequestsSent()
	if got := status(t, s, &hsession.Request{URL: base + "/digest-auth/auth/user/pass/SHA-256"}); got != 200 {
		t.Fatalf("session digest SHA-256: %d", got)
	}
	if n := s.RequestsSent() - before; n != 2 {
		t.Fatalf("the 401 and its answer: %d requests", n)
	}
	before = s.RequestsSent()
	if got := status(t, s, &hsession.Request{URL: base + "/digest-auth/auth/user/pass/SHA-256"}); got != 200 {
		t.Fatalf("again: %d", got)
	}
	if n := s.RequestsSent() - before; n != 1 {
		t.Fatalf("the challenge was not reused: %d requests", n)
	}
	if got := status(t, s, &hsession.Request{URL: base + "/digest-auth/auth/user/pass/MD5"}); got != 200 {
		t.Fatalf("session digest MD5: %d", got)
	}
	// A request's own credentials replace the session's.
	wrong := &hsession.Request{URL: base + "/digest-auth/auth/user/pass", Auth: hsession.DigestAuth{User: "user", Password: "nope"}}
	before = s.RequestsSent()
	if got := status(t, s, wrong); got != 401 {
		t.Fatalf("wrong password: %d", got)
	}
	if n := s.RequestsSent() - before; n != 2 {
		t.Fatalf("a wrong password is answered once: %d requests", n)
	}
	if got := status(t, s, &hsession.Request{URL: base + "/digest-auth/auth/u2/p2", Auth: hsession.DigestAuth{User: "u2", Password: "p2"}}); got != 200 {
		t.Fatalf("request digest: %d", got)
	}
	if got := status(t, s, &hsession.Request{URL: base + "/digest-auth/auth/user/pass", Auth: hsession.NoAuth{}}); got != 401 {
		t.Fatalf("NoAuth still answered the challenge: %d", got)
	}

	plain := newSession(t, hsession.WithTrustEnv(false))
	if got := status(t, plain, &hsession.Request{URL: base + "/digest-auth/auth/user/pass"}); got != 401 {
		t.Fatalf("no credentials: %d", got)
	}
	if err := plain.SetDigestAuth("user", "pass"); err != nil {
		t.Fatal(err)
	}
	if got := status(t, plain, &hsession.Request{URL: base + "/digest-auth/auth/user/pass"}); got != 200 {
		t.Fatalf("SetDigestAuth: %d", got)
	}
	wantCode(t, plain.SetDigestAuth(`u"x`, "p"), hsession.CodeInvalidArgument)
	_, err := plain.Do(context.Background(), &hsession.Request{URL: base + "/echo", Auth: hsession.DigestAuth{User: "u\nx", Password: "p"}})
	wantCode(t, err, hsession.CodeInvalidArgument)
	if got := status(t, plain, &hsession.Request{URL: base + "/digest-auth/auth/user/pass"}); got != 200 {
		t.Fatalf("after a rejected setter: %d", got)
	}
}

// .netrc: the file NETRC names gives basic auth for its host while
// trust_env is on, and is ignored with trust_env off or when the request
// has credentials of its own.
func TestNetrc(t *testing.T) {
	file := filepath.Join(t.TempDir(), "netrc")
	if err := os.WriteFile(file, []byte("machine 127.0.0.1 login user password pass\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("NETRC", file)
	trusting := newSession(t)
	if got := status(t, trusting, &hsession.Request{URL: base + "/basic-auth/user/pass"}); got != 200 {
		t.Fatalf("netrc with trust_env on: %d", got)
	}
	if got := status(t, trusting, &hsession.Request{URL: base + "/basic-auth/user/pass", Auth: hsession.BasicAuth{User: "x", Password: "y"}}); got != 401 {
		t.Fatalf("a request's own auth: %d", got)
	}
	ignoring := newSession(t, hsession.WithTrustEnv(false))
	if got := status(t, ignoring, &hsession.Request{URL: base + "/basic-auth/user/pass"}); got != 401 {
		t.Fatalf("netrc used with trust_env off: %d", got)
	}
}
