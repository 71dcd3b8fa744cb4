package hsession_test

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	hsession "github.com/hsession/hsession/bindings/go"
)

// recorder is a slog.Handler keeping every record it is given.
type recorder struct {
	mu      sync.Mutex
	level   slog.Level
	records []slog.Record
}

func (r *recorder) Enabled(_ context.Context, l slog.Level) bool { return l >= r.level }
func (r *recorder) Handle(_ context.Context, rec slog.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.records = append(r.records, rec.Clone())
	return nil
}
func (r *recorder) WithAttrs([]slog.Attr) slog.Handler { return r }
func (r *recorder) WithGroup(string) slog.Handler      { return r }

// text is a record as one line: message and attributes.
func text(rec slog.Record) string {
	var b strings.Builder
	b.WriteString(rec.Message)
	rec.Attrs(func(a slog.Attr) bool {
		b.WriteString(" " + a.Key + "=" + a.Value.String())
		return true
	})
	return b.String()
}

// waitRecord waits (up to 5 s) for a record whose text contains every part.
func (r *recorder) waitRecord(t *testing.T, parts ...string) slog.Record {
	t.Helper()
	for end := time.Now().Add(5 * time.Second); ; {
		r.mu.Lock()
		for _, rec := range r.records {
			line, all := text(rec), true
			for _, p := range parts {
				all = all && strings.Contains(line, p)
			}
			if all {
				r.mu.Unlock()
				return rec
			}
		}
		r.mu.Unlock()
		if time.Now().After(end) {
			t.Fatalf("no record with %q", parts)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestSetLoggerReceivesRecordsWithoutCredentials(t *testing.T) {
	rec := &recorder{level: hsession.LevelTrace}
	if err := hsession.SetLogger(slog.New(rec)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = hsession.SetLogger(nil) })
	retry := hsession.NewRetry(2)
	retry.StatusForcelist = []int{503}
	s := newSession(t, hsession.WithRetry(retry))
	ctx := context.Background()
	withUser := strings.Replace(base, "http://", "http://alice:s3cret@", 1)
	req := hsession.NewRequest("GET", withUser+"/redirect/1", nil)
	req.Header = http.Header{}
	req.Header.Set("Authorization", "Bearer tok3n")
	req.Header.Set("Cookie", "a=c00kie")
	resp, err := s.Do(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	done := rec.waitRecord(t, "done 200 GET", "/redirect/1")
	if done.Level != slog.LevelInfo {
		t.Errorf("done at %v", done.Level)
	}
	var elapsed string
	done.Attrs(func(a slog.Attr) bool {
		if a.Key == "elapsed_ms" {
			elapsed = a.Value.String()
		}
		return true
	})
	if elapsed == "" || strings.Contains(done.Message, "elapsed_ms") {
		t.Errorf("elapsed_ms not an attribute: %q", text(done))
	}
	if r := rec.waitRecord(t, "redirect 302", "/echo"); r.Level != slog.LevelDebug {
		t.Errorf("redirect at %v", r.Level)
	}
	resp, err = s.Get(ctx, base+"/flaky/golog/1")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if r := rec.waitRecord(t, "retry GET", "reason=status 503", "wait_ms="); r.Level != slog.LevelWarn {
		t.Errorf("retry at %v", r.Level)
	}
	rec.waitRecord(t, "connected remote=")

	rec.mu.Lock()
	defer rec.mu.Unlock()
	for _, r := range rec.records {
		for _, secret := range []string{"alice", "s3cret", "tok3n", "c00kie"} {
			if strings.Contains(text(r), secret) {
				t.Errorf("%q in %q", secret, text(r))
			}
		}
	}
}

func TestSetLoggerNilStopsRecords(t *testing.T) {
	rec := &recorder{level: slog.LevelInfo}
	if err := hsession.SetLogger(slog.New(rec)); err != nil {
		t.Fatal(err)
	}
	s := newSession(t)
	resp, err := s.Get(context.Background(), base+"/echo")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	rec.waitRecord(t, "done 200 GET")
	if err := hsession.SetLogger(nil); err != nil {
		t.Fatal(err)
	}
	rec.mu.Lock()
	n := len(rec.records)
	for _, r := range rec.records {
		if r.Level < slog.LevelInfo {
			t.Errorf("below the handler's level: %q", text(r))
		}
	}
	rec.mu.Unlock()
	resp, err = s.Get(context.Background(), base+"/echo")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	time.Sleep(100 * time.Millisecond)
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.records) != n {
		t.Errorf("%d records after SetLogger(nil)", len(rec.records)-n)
	}
}
