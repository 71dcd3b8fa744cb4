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
