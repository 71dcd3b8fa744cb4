package hsession_test

import (
	"context"
	"errors"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	hsession "github.com/hsession/hsession/bindings/go"
)

func TestTimeouts(t *testing.T) {
	s := newSession(t, hsession.WithReadTimeout(100*time.Millisecond))
	ctx := context.Background()
	start := time.Now()
	_, err := s.Get(ctx, base+"/delay/3000")
	if !errors.Is(err, hsession.ErrTimeout) || !errors.Is(err, hsession.CodeReadTimeout) || time.Since(start) > 2*time.Second {
		t.Fatalf("read timeout: %v after %v", err, time.Since(start))
	}
	var ne interface{ Timeout() bool }
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatal("not a net.Error timeout")
	}
	// Per request: a total timeout, and no read limit.
	_, err = s.Do(ctx, &hsession.Request{URL: base + "/delay/3000", ReadTimeout: hsession.NoLimit, Timeout: 150 * time.Millisecond})
	wantCode(t, err, hsession.CodeTimeout)
	r, err := s.Do(ctx, &hsession.Request{URL: base + "/delay/300", ReadTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if err := s.SetTimeout(100 * time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if err := s.SetReadTimeout(0); err != nil {
		t.Fatal(err)
	}
	_, err = s.Get(ctx, base+"/delay/3000")
	wantCode(t, err, hsession.CodeTimeout)
	if err := s.SetConnectTimeout(time.Second); err != nil {
		t.Fatal(err)
	}
	_, err = s.Do(ctx, &hsession.Request{URL: base + "/echo", ConnectTimeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
}

// A context cancelled while the request waits ends it within 50 ms.
func TestContextCancel(t *testing.T) {
	s := newSession(t)
	ctx, cancel := context.WithCancel(context.Background())
	var cancelled time.Time
	go func() {
		time.Sleep(100 * time.Millisecond)
		cancelled = time.Now()
		cancel()
	}()
	_, err := s.Get(ctx, base+"/delay/5000")
	took := time.Since(cancelled)
	if !errors.Is(err, context.Canceled) || !errors.Is(err, hsession.ErrCancelled) || errors.Is(err, hsession.ErrTimeout) {
		t.Fatalf("err %v", err)
	}
	if took > 50*time.Millisecond {
		t.Fatalf("returned %v after the cancel", took)
	}
	t.Logf("returned %v after the cancel", took)
	// Already cancelled: nothing is sent.
	_, err = s.Get(ctx, base+"/echo")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled context: %v", err)
	}
	getEcho(t, s, "/echo") // still usable
}

func TestContextDeadline(t *testing.T) {
	s := newSession(t)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := s.Get(ctx, base+"/delay/5000")
	took := time.Since(start)
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, hsession.ErrTimeout) {
		t.Fatalf("err %v", err)
	}
	if took < 190*time.Millisecond || took > 250*time.Millisecond {
		t.Fatalf("deadline of 200ms ended the request after %v", took)
	}
}

func TestStreamedBody(t *testing.T) {
	s := newSession(t)
	r, err := s.Do(context.Background(), &hsession.Request{URL: base + "/bytes/3000000", Stream: true})
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, r.Body)
	r.Body.Close()
	if err != nil || n != 3000000 {
		t.Fatalf("streamed %d bytes: %v", n, err)
	}
	// The request's body limit bounds a stream.
	r, err = s.Do(context.Background(), &hsession.Request{URL: base + "/bytes/3000000", Stream: true, MaxBodySize: 1000})
	if err == nil {
		_, err = io.Copy(io.Discard, r.Body)
		r.Body.Close()
	}
	if !errors.Is(err, hsession.CodeBodyTooLarge) {
		t.Fatalf("stream over its limit: %v", err)
	}

	// Cancelling the context stops a body being read, promptly.
	ctx, cancel := context.WithCancel(context.Background())
	r, err = s.Do(ctx, &hsession.Request{URL: base + "/drip?bytes=100&delay_ms=100", Stream: true})
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 10)
	if _, err := r.Body.Read(buf); err != nil {
		t.Fatal(err)
	}
	var at time.Time
	go func() { time.Sleep(150 * time.Millisecond); at = time.Now(); cancel() }()
	_, err = io.Copy(io.Discard, r.Body)
	if !errors.Is(err, context.Canceled) || time.Since(at) > 50*time.Millisecond {
		t.Fatalf("stream after cancel: %v, %v after the cancel", err, time.Since(at))
	}
	r.Body.Close()

	// Close while another goroutine is blocked in Read.
	r, err = s.Do(context.Background(), &hsession.Request{URL: base + "/drip?bytes=100&delay_ms=200", Stream: true})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error)
	go func() { _, err := io.Copy(io.Discard, r.Body); done <- err }()
	time.Sleep(100 * time.Millisecond)
	r.Body.Close()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("read completed after close")
		}
	case <-time.After(time.Second):
		t.Fatal("Close did not end a blocked Read")
	}
}

func threads(t testing.TB) int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skip("no /proc")
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "Threads:"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(v))
			return n
		}
	}
	return 0
}

// 1,000 goroutines share one session; requests in flight take no OS
// thread each (the async C call), so the process stays at a few threads.
func TestThousandGoroutines(t *testing.T) {
	s := newSession(t)
	const n = 1000
	var wg sync.WaitGroup
	errs := make(chan error, n)
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			r, err := s.Get(context.Background(), base+"/delay/300?i="+strconv.Itoa(i))
			if err != nil {
				errs <- err
				return
			}
			var e echo
			if err := r.JSON(&e); err != nil || e.Query["i"][0] != strconv.Itoa(i) {
				errs <- errors.New("wrong answer for " + strconv.Itoa(i))
			}
		}(i)
	}
	before := threads(t)
	began := time.Now()
	close(start)
	time.Sleep(150 * time.Millisecond)
	during := threads(t)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	t.Logf("%d requests of 300 ms in %v; threads %d before, %d in flight", n, time.Since(began), before, during)
	if during > before+40 {
		t.Fatalf("threads grew from %d to %d with %d requests in flight", before, during, n)
	}
}

// Closing a session with requests in flight: every call returns (cancelled
// or closed), nothing crashes, and later calls get ErrClosed.
func TestCloseWhileInFlight(t *testing.T) {
	s, err := hsession.New()
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	results := make(chan error, 200)
	for i := 0; i < 200; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			time.Sleep(time.Duration(i%20) * time.Millisecond)
			var err error
			if i%10 == 0 {
				_, err = s.Cookies()
			} else {
				var r *hsession.Response
				r, err = s.Get(context.Background(), base+"/delay/2000")
				if err == nil {
					r.Body.Close()
				}
			}
			results <- err
		}(i)
	}
	time.Sleep(50 * time.Millisecond)
	start := time.Now()
	s.Close()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("calls still blocked 5 s after Close")
	}
	t.Logf("all calls returned %v after Close", time.Since(start))
	close(results)
	for err := range results {
		if err != nil && !errors.Is(err, hsession.ErrCancelled) && !errors.Is(err, hsession.ErrClosed) {
			t.Fatalf("unexpected %v", err)
		}
	}
	if _, err := s.Get(context.Background(), base+"/echo"); !errors.Is(err, hsession.ErrClosed) {
		t.Fatalf("after close: %v", err)
	}
	if err := s.SetHeader("a", "b"); !errors.Is(err, hsession.ErrClosed) {
		t.Fatalf("setter after close: %v", err)
	}
	if s.Close() != nil {
		t.Fatal("second Close")
	}
}

// Requests whose context can end (each has its own cancel token) are also
// ended by Close, not waited for.
func TestCloseEndsRequestsWithContexts(t *testing.T) {
	s, err := hsession.New()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	const n = 8
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		go func() {
			_, err := s.Get(ctx, base+"/delay/5000")
			errs <- err
		}()
	}
	time.Sleep(150 * time.Millisecond)
	start := time.Now()
	s.Close()
	for i := 0; i < n; i++ {
		select {
		case err := <-errs:
			if !errors.Is(err, hsession.ErrCancelled) || errors.Is(err, context.Canceled) {
				t.Fatalf("request in flight at Close: %v", err)
			}
		case <-time.After(2 * time.Second):
			t.Fatal("a request with a context still runs 2 s after Close")
		}
	}
	t.Logf("%d requests returned %v after Close", n, time.Since(start))
}
