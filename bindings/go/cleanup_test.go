package hsession_test

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	hsession "github.com/hsession/hsession/bindings/go"
)

// A session the program forgot to Close is freed by its cleanup once
// unreachable: the cookie file it was given gets written, which only
// hsession_free does.
func TestForgottenSessionIsFreed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cookies.json")
	func() {
		s, err := hsession.New(hsession.WithCookieFile(path, hsession.CookieFileJSON))
		if err != nil {
			t.Fatal(err)
		}
		r, err := s.Get(context.Background(), base+"/cookies/set?forgotten=1")
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		// Responses forgotten too, streamed and not: their cleanups free them.
		s.Get(context.Background(), base+"/bytes/100")
		s.Do(context.Background(), &hsession.Request{URL: base + "/bytes/100000", Stream: true})
	}()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		runtime.GC()
		if b, err := os.ReadFile(path); err == nil && len(b) > 0 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("the forgotten session was not freed (no cookie file written)")
}

// A session nobody references any more stays alive while its requests run
// and while a streamed body is read: its cleanup would cancel them.
func TestRequestsKeepTheirSession(t *testing.T) {
	done := make(chan error)
	var streamed *hsession.Response
	func() {
		s, err := hsession.New()
		if err != nil {
			t.Fatal(err)
		}
		go func() {
			r, err := s.Get(context.Background(), base+"/delay/300")
			if err == nil {
				r.Body.Close()
			}
			done <- err
		}()
		streamed, err = s.Do(context.Background(), &hsession.Request{URL: base + "/drip?bytes=20&delay_ms=20", Stream: true})
		if err != nil {
			t.Fatal(err)
		}
	}()
	for i := 0; i < 10; i++ {
		runtime.GC()
		time.Sleep(20 * time.Millisecond)
	}
	if err := <-done; err != nil {
		t.Fatalf("request of a forgotten session: %v", err)
	}
	b, err := streamed.Bytes()
	if err != nil || len(b) != 20 {
		t.Fatalf("stream of a forgotten session: %d bytes, %v", len(b), err)
	}
}
